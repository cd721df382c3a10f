import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipkitError } from '../errors.js';
import { writeContentAtomic, writeFileAtomic } from './atomic-file.js';

const folder = () => mkdtempSync(join(tmpdir(), 'clipkit-atomic-'));
const systemError = (code: string) => Object.assign(new Error(`${code}: from the file system, write`), { code });

/** Mounts a tmpfs of `size` at a fresh folder (read-only with `ro`); undefined where mounting is not allowed (not root). */
function mountTmpfs(options: string): string | undefined {
  const dir = folder();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

describe('writeFileAtomic on a failing file system', () => {
  it('fails with one line naming the file and what to do, and leaves no temporary file', async () => {
    const dir = folder();
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old');
    for (const [code, reason] of [
      ['ENOSPC', 'the disk is full (ENOSPC); free some space or write to another disk'],
      ['EROFS', 'the file system is read-only (EROFS); write to another folder'],
      ['EDQUOT', 'the disk quota is used up (EDQUOT); free some space or write to another disk'],
    ]) {
      const failing = writeFileAtomic(path, async () => {
        throw systemError(code);
      });
      await expect(failing).rejects.toThrow(ClipkitError);
      await expect(failing).rejects.toThrow(`cannot write ${path}: ${reason}`);
    }
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('says which part of the path is wrong: a file where a folder is wanted, or a folder where a file is', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'file'), '');
    mkdirSync(join(dir, 'folder'));
    await expect(writeContentAtomic(join(dir, 'file', 'x.json'), '{}')).rejects.toThrow(
      `cannot write ${join(dir, 'file', 'x.json')}: a part of the path is a file, not a folder (ENOTDIR); give a path inside a folder`,
    );
    await expect(writeContentAtomic(join(dir, 'folder'), '{}')).rejects.toThrow(`cannot write ${join(dir, 'folder')}: it is a folder (EISDIR); give a file name`);
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder']);
  });

  it('keeps other errors as they are', async () => {
    const bug = new TypeError('not a file system error');
    await expect(
      writeFileAtomic(join(folder(), 'x'), async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });

  // The same on real file systems: a full 64 KiB tmpfs and a read-only one (mounting needs root; skipped otherwise).
  const full = mountTmpfs('size=64k');
  const readOnly = mountTmpfs('size=64k,ro');
  afterAll(() => {
    for (const dir of [full, readOnly]) if (dir) execFileSync('umount', [dir]);
  });

  it.runIf(full && readOnly)('on a full tmpfs and a read-only one', async () => {
    const path = join(full!, 'big.bin');
    await expect(writeContentAtomic(path, new Uint8Array(1 << 20))).rejects.toThrow(`cannot write ${path}: the disk is full (ENOSPC); free some space or write to another disk`);
    expect(readdirSync(full!)).toEqual([]);
    await expect(writeContentAtomic(join(readOnly!, 'x.json'), '{}')).rejects.toThrow(
      `cannot write ${join(readOnly!, 'x.json')}: the file system is read-only (EROFS); write to another folder`,
    );
    rmSync(path, { force: true });
  });
});
