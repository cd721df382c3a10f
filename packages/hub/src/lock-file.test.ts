import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withLockFile } from './lock-file.js';

const dir = mkdtempSync(join(tmpdir(), 'clipkit-lock-'));

describe('withLockFile', () => {
  it('runs holders one after the other, whichever wins the race, and removes the lock', async () => {
    const path = join(dir, 'a.lock');
    const log: string[] = [];
    const hold = (name: string) =>
      withLockFile(path, async () => {
        log.push(`${name} in`);
        await sleep(50);
        log.push(`${name} out`);
      });
    await Promise.all([hold('first'), hold('second')]);
    // Either may win the race for the lock; what the lock guarantees is that the two never overlap.
    const [winner, loser] = log[0] === 'first in' ? ['first', 'second'] : ['second', 'first'];
    expect(log).toEqual([`${winner} in`, `${winner} out`, `${loser} in`, `${loser} out`]);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose process on this host is gone', async () => {
    const path = join(dir, 'b.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path, JSON.stringify({ pid: Number(dead.stdout), host: hostname() }));
    await expect(withLockFile(path, async () => 'ran')).resolves.toBe('ran');
  });

  it('waits for a lock whose owner is alive', async () => {
    const path = join(dir, 'c.lock');
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname() }));
    const waiting = withLockFile(path, async () => 'ran');
    const outcome = await Promise.race([waiting, sleep(300).then(() => 'still waiting')]);
    expect(outcome).toBe('still waiting');
    rmSync(path);
    await expect(waiting).resolves.toBe('ran');
  });
});
