import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipkitError } from '../errors.js';
import { lockRunDir, RUN_LOCK_FILE } from './run-lock.js';

const runDir = () => mkdtempSync(join(tmpdir(), 'clipkit-lock-'));

describe('lockRunDir', () => {
  it('holds the folder with the pid until released, and refuses a second lock meanwhile', () => {
    const dir = runDir();
    const release = lockRunDir(dir);
    expect(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockRunDir(dir)).toThrow(`${dir} is already being trained by this process`);
    release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
    lockRunDir(dir)();
  });

  it('refuses a folder locked by a live process, naming it', () => {
    const dir = runDir();
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, RUN_LOCK_FILE), `${other.pid}\n`);
      expect(() => lockRunDir(dir)).toThrow(ClipkitError);
      expect(() => lockRunDir(dir)).toThrow(`${dir} is in use by another training run (process ${other.pid}, see ${join(dir, RUN_LOCK_FILE)})`);
      expect(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that has died, and an empty one', () => {
    for (const stale of [`${spawnSync('true').pid}\n`, '']) {
      const dir = runDir();
      writeFileSync(join(dir, RUN_LOCK_FILE), stale);
      const release = lockRunDir(dir);
      expect(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      release();
    }
  });
});
