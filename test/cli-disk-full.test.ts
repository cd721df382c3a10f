import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from './checkpoints/fixtures.js';
import { MODELS } from './clip/fixtures.js';
import { writeTinyShapesConfig } from './tiny-shapes-config.js';

// Every command that writes, on a full disk, a read-only file system and with an output path of the wrong kind:
// exit code 1, one line naming the path and what to do, no staging folder or temporary file left. The disks are
// tmpfs mounts (root only: skipped otherwise; the writers' unit tests inject the same errors).
const work = mkdtempSync(join(tmpdir(), 'clipkit-disk-'));
const model = `${MODELS}/vit-b-tiny-quickgelu`;
const images = join(work, 'images');
const config = join(work, 'tiny.json');

function mount(options: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'clipkit-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}
const full = mount('size=1m');
const readOnly = mount('size=64k,ro');
/** Room for a run's metrics, not for its checkpoint (19 MB). */
const small = mount('size=1m');

/** Each command writing `out`, a path that does not exist yet. */
const COMMANDS: Record<string, (out: string) => string[]> = {
  train: (out) => ['train', '--config', config, '--out', out],
  embed: (out) => ['embed', '--model', model, '--images', images, '--out', join(out, 'embeddings.safetensors')],
  'export-onnx': (out) => ['export-onnx', '--model', model, '--out', out],
  convert: (out) => ['convert', '--model', model, '--out', out],
  index: (out) => ['index', images, '--model', model, '--db', out, '--backend', 'tfjs'],
};

beforeAll(async () => {
  writeTinyShapesConfig(config);
  expect((await runCliAsync(['demo-images', 'shapes', '--out', images, '--count', '4'])).status).toBe(0);
  // Full: the filler takes every block it can.
  if (full) {
    try {
      writeFileSync(join(full, 'filler'), new Uint8Array(2 * 1024 * 1024).fill(1));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
  }
});

afterAll(() => {
  for (const dir of [full, readOnly, small]) if (dir) execFileSync('umount', [dir]);
});

/** The last line of stderr, after asserting that it is the only `clipkit:` error line and that no stack follows. */
function errorLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines.at(-1)!;
}

describe.runIf(full && readOnly)('writing commands on a full disk and a read-only file system', () => {
  it.each(Object.keys(COMMANDS))('%s: one line, exit code 1, nothing left behind', async (command) => {
    const onFull = join(full!, command);
    const fullRun = await runCliAsync(COMMANDS[command](onFull));
    expect(fullRun.status, fullRun.stderr).toBe(1);
    expect(errorLine(fullRun.stderr)).toMatch(/^clipkit: cannot write \/.*: the disk is full \(ENOSPC\); free some space or write to another disk$/);
    // No staging folder, temporary file or half-written output: train leaves its run folder and embed the folder
    // of its file, both empty; the others (index: an index it began) nothing.
    const left = readdirSync(full!).filter((name) => name === command || name.startsWith('.'));
    expect(left).toEqual(['train', 'embed'].includes(command) ? [command] : []);
    for (const name of left) expect(readdirSync(join(full!, name))).toEqual([]);

    const onReadOnly = join(readOnly!, command);
    const readOnlyRun = await runCliAsync(COMMANDS[command](onReadOnly));
    expect(readOnlyRun.status, readOnlyRun.stderr).toBe(1);
    expect(errorLine(readOnlyRun.stderr)).toMatch(/^clipkit: cannot write \/.*: the file system is read-only \(EROFS\); write to another folder$/);
  });
});

describe.runIf(small)('train on a disk that fills up at its checkpoint', () => {
  it('stops with one line naming the checkpoint file, leaving no staging folder and no lock', async () => {
    const out = join(small!, 'run');
    const run = await runCliAsync(COMMANDS.train(out));
    expect(run.status, run.stderr).toBe(1);
    expect(errorLine(run.stderr)).toBe(`clipkit: cannot write ${out}/checkpoint/model.safetensors: the disk is full (ENOSPC); free some space or write to another disk`);
    expect(readdirSync(out).sort()).toEqual(['metrics.jsonl', 'training.svg']);
  });
});

describe('writing commands given a file where their output folder goes', () => {
  it.each(Object.keys(COMMANDS))('%s: one line, exit code 1', async (command) => {
    const file = join(mkdtempSync(join(work, 'file-')), 'taken');
    writeFileSync(file, 'mine');
    const run = await runCliAsync(COMMANDS[command](file));
    expect(run.status, run.stderr).toBe(1);
    expect(errorLine(run.stderr)).toMatch(/^clipkit: .*taken.*(is a file|a file stands where a folder is wanted)/);
  });
});
