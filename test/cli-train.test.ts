import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricsLog, RUN_LOCK_FILE } from '@clipkit/core';
import { describe, expect, it } from 'vitest';
import { writeTinyShapesConfig } from './tiny-shapes-config.js';

const cli = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'clipkit-cli-train-'));

/** A config small enough to train a few steps in seconds. */
function writeConfig(name: string, loss: 'clip' | 'siglip', steps = 4): string {
  // SigLIP's initial scale and bias (its paper: t' = ln 10, b = -10).
  const model = loss === 'siglip' ? { logitScale: Math.log(10), logitBias: -10 } : {};
  return writeTinyShapesConfig(join(dir, `${name}.json`), { model, loss, train: { steps } });
}

const run = (...args: string[]) => spawnSync('node', [cli, ...args], { encoding: 'utf8' });

describe('clipkit train / eval / compare', () => {
  it('trains into a run folder with a checkpoint, metrics.jsonl and a plot, and resumes it', () => {
    const out = join(dir, 'run');
    const first = run('train', '--config', writeConfig('tiny-clip', 'clip'), '--out', out, '--max-steps', '2');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/tiny-clip: 2 steps, final loss \d\.\d{4}/);
    for (const file of ['checkpoint/clipkit.json', 'checkpoint/model.safetensors', 'checkpoint/optimizer.safetensors', 'metrics.jsonl', 'training.svg']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'training.svg'), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const resumed = run('train', '--resume', '--out', out);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resumed from');
    const lines = new MetricsLog(join(out, 'metrics.jsonl')).read();
    expect(lines.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([0, 1, 2, 3]);
  });

  it('evaluates a trained model on its own held-out data, as JSON', () => {
    const out = join(dir, 'run');
    const result = JSON.parse(execFileSync('node', [cli, 'eval', '--model', join(out, 'checkpoint'), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    expect(result.zeroShot.count).toBe(32);
    expect(result.zeroShot.top1).toBeGreaterThanOrEqual(0);
    expect(result.zeroShot.top5).toBeGreaterThanOrEqual(result.zeroShot.top1);
  });

  it('compares two configs side by side in a table and a plot', () => {
    const out = join(dir, 'compare');
    const result = run('compare', '--configs', writeConfig('a-clip', 'clip'), writeConfig('b-siglip', 'siglip'), '--out', out);
    expect(result.status, result.stderr).toBe(0);
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(table).toMatch(/\| a-clip \| vit \| clip \|/);
    expect(table).toMatch(/\| b-siglip \| vit \| siglip \|/);
    expect(readFileSync(join(out, 'compare.svg'), 'utf8')).toContain('b-siglip');
  });

  it('says what to do when --resume has no run folder, or the data folder is missing', () => {
    expect(run('train', '--resume').stderr).toContain('--resume needs --out DIR');
    const missing = run(
      'train',
      '--config',
      fileURLToPath(new URL('../configs/fashion-mnist-vit-clip.json', import.meta.url)),
      '--data',
      join(dir, 'nowhere'),
      '--out',
      join(dir, 'fm'),
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/apt-get install dataset-fashion-mnist/);
  });
});

/** Whether a process with this pid exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string, seconds = 60): Promise<void> {
  for (const end = Date.now() + seconds * 1000; !condition(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('a run folder trained by one process at a time', () => {
  it('refuses a second train --resume, and the restarted training process ends when the clipkit command is killed', async () => {
    const out = join(dir, 'locked');
    const config = writeConfig('long', 'clip', 100_000);
    expect(run('train', '--config', config, '--out', out, '--max-steps', '1').status).toBe(0);
    // Through bin/clipkit.js, which restarts Node with --single-threaded-gc: the training runs in its child.
    const bin = fileURLToPath(new URL('../apps/cli/bin/clipkit.js', import.meta.url));
    const first = spawn('node', [bin, 'train', '--resume', '--out', out], { stdio: 'ignore' });
    const lock = join(out, RUN_LOCK_FILE);
    await waitFor(() => existsSync(lock) && readFileSync(lock, 'utf8').endsWith('\n'), 'the lock');
    const trainer = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    expect(trainer).not.toBe(first.pid);
    const second = run('train', '--resume', '--out', out);
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `clipkit: ${out} is in use by another training run (process ${trainer}, see ${lock}); wait for it to end, or stop it ` +
        `(if process ${trainer} is not clipkit, the run that locked the folder crashed and its number was reused: remove ${lock})\n`,
    );
    first.kill('SIGKILL');
    await waitFor(() => !isAlive(trainer), `process ${trainer} to end`, 20);
    // Its lock is stale now: the run resumes.
    const resumed = run('train', '--resume', '--out', out, '--max-steps', '3');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
});
