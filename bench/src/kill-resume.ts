import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { MetricsLog, SeededRandom } from '@clipkit/core';
import type { Benchmark } from './benchmarks.js';

/**
 * Kill and resume (issue 16): trains a tiny model for 100 steps with a checkpoint every 2 steps and an
 * evaluation every 4, SIGKILLs the training process at `--kills` moments (default 20: a third at a random time
 * within 1.5 s of its first step, a third while a checkpoint is being written (the first, second or third it writes),
 * a third just after a checkpoint and before its evaluation), resumes each time,
 * and compares the result with an uninterrupted run: the checkpoint files byte for byte (clipkit.json by
 * content: a resumed run may write its keys in another order), metrics.jsonl line for line without its timing
 * field (samplesPerSecond). After every kill it checks the checkpoint against its
 * checksums and how many steps were lost; at the end, that nothing is left in the run folder but the run.
 * `--seed S` picks the moments (the same seed, the same plan). Exit code 1 on any difference.
 */

const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
const STEPS = 100;
const CHECKPOINT_EVERY = 2;
const EVAL_EVERY = 4;

const config = {
  model: {
    embedDim: 32,
    vision: { type: 'vit', imageSize: 32, patchSize: 8, width: 32, layers: 1 },
    text: { type: 'transformer', contextLength: 16, width: 32, heads: 2, layers: 1 },
  },
  backend: { type: 'tfjs', device: 'wasm' },
  data: { type: 'synthetic-shapes', imageSize: 32, evalSize: 32 },
  train: { batchSize: 8, steps: STEPS, warmupSteps: 2, logEvery: 1, checkpointEvery: CHECKPOINT_EVERY, evalEvery: EVAL_EVERY },
};

type Moment = 'random' | 'checkpoint-write' | 'before-eval';

/** The training process, run as bin/clipkit.js's restarted child is (so the SIGKILL reaches the trainer itself). */
function train(configFile: string, out: string, resume: boolean): ChildProcess {
  const args = ['--single-threaded-gc', cli, 'train', '--out', out, ...(resume ? ['--resume'] : ['--config', configFile])];
  return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const ended = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));

const hasCheckpoint = (out: string) => ['checkpoint', '.checkpoint-previous'].some((dir) => existsSync(join(out, dir, 'trainer-state.json')));
const checkpointStep = (dir: string): number => JSON.parse(readFileSync(join(dir, 'trainer-state.json'), 'utf8')).step;

/** Whether every file checksums.sha256 lists has its sha256. */
function checksumsHold(dir: string): boolean {
  const manifest = join(dir, 'checksums.sha256');
  if (!existsSync(manifest)) return false;
  return readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .every(
      (line) =>
        createHash('sha256')
          .update(readFileSync(join(dir, line.slice(66))))
          .digest('hex') === line.slice(0, 64),
    );
}

/** Steps logged in metrics.jsonl (a torn last line is not counted). */
function stepsLogged(out: string): number {
  const lines = existsSync(join(out, 'metrics.jsonl')) ? new MetricsLog(join(out, 'metrics.jsonl')).read() : [];
  return lines.reduce((n, line) => (line.type === 'train' ? Math.max(n, line.step + 1) : n), 0);
}

const untimed = (out: string) => new MetricsLog(join(out, 'metrics.jsonl')).read().map((line) => JSON.stringify(line.type === 'train' ? { ...line, samplesPerSecond: 0 } : line));

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls `condition` every millisecond or so until it holds or the process ends; true when it held. */
async function until(child: ChildProcess, condition: () => boolean): Promise<boolean> {
  while (child.exitCode === null && child.signalCode === null) {
    if (condition()) return true;
    await sleep(1);
  }
  return false;
}

async function killResume(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at === -1 ? fallback : Number(args[at + 1]);
  };
  const kills = option('--kills', 20);
  const rng = new SeededRandom(option('--seed', 1));
  const work = mkdtempSync(join(tmpdir(), 'clipkit-kill-resume-'));
  const configFile = join(work, 'tiny.json');
  writeFileSync(configFile, JSON.stringify(config));

  const reference = join(work, 'uninterrupted');
  const started = performance.now();
  const straight = await ended(train(configFile, reference, false));
  const seconds = (performance.now() - started) / 1000;
  if (straight.code !== 0) throw new Error(`the uninterrupted run failed (${straight.code})`);
  console.log(`uninterrupted: ${STEPS} steps in ${seconds.toFixed(1)} s (checkpoint every ${CHECKPOINT_EVERY}, evaluation every ${EVAL_EVERY})`);

  const out = join(work, 'killed');
  const moments: Moment[] = Array.from({ length: kills }, (_, i) => (['random', 'checkpoint-write', 'before-eval'] as const)[i % 3]);
  const counts = { killed: 0, missed: 0, corrupt: 0, duringWrite: 0, beforeEval: 0, maxLost: 0 };
  for (const [i, moment] of moments.entries()) {
    const child = train(configFile, out, hasCheckpoint(out));
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const exit = ended(child);
    let hit: boolean;
    if (moment === 'random') {
      // Once it trains (Node and the model take seconds to start on a busy machine), within about 4 steps.
      const logged = stepsLogged(out);
      await until(child, () => stepsLogged(out) > logged);
      await sleep(rng.uniform() * 1500);
      hit = child.exitCode === null;
    } else if (moment === 'checkpoint-write') {
      const writing = () => readdirSync(out).some((name) => name.startsWith('.checkpoint-staging-'));
      hit = false;
      for (let skip = rng.int(3); skip >= 0; skip--) {
        hit = await until(child, writing);
        if (skip > 0 && !(await until(child, () => !writing()))) break;
      }
    } else {
      // A checkpoint at an evaluation step has just been written, and its evaluation not yet logged.
      const before = existsSync(join(out, 'checkpoint')) ? checkpointStep(join(out, 'checkpoint')) : -1;
      hit = await until(child, () => {
        try {
          const step = checkpointStep(join(out, 'checkpoint'));
          return step !== before && step % EVAL_EVERY === 0;
        } catch {
          return false;
        }
      });
    }
    if (hit) child.kill('SIGKILL');
    const { code, signal } = await exit;
    if (signal !== 'SIGKILL') {
      // The run ended first (it finished, or the moment never came): not a kill.
      counts.missed++;
      if (code !== 0) throw new Error(`run ${i + 1} failed (exit ${code}):\n${stderr}`);
      console.log(`  ${String(i + 1).padStart(2)} ${moment.padEnd(16)} the run ended before the moment (exit ${code})`);
      continue;
    }
    counts.killed++;
    const staging = readdirSync(out).filter((name) => name.startsWith('.checkpoint-staging-')).length;
    const evaluated = new MetricsLog(join(out, 'metrics.jsonl'))
      .read()
      .some((line) => line.type === 'eval' && existsSync(join(out, 'checkpoint')) && line.afterSteps === checkpointStep(join(out, 'checkpoint')));
    if (moment === 'checkpoint-write' && staging > 0) counts.duringWrite++;
    if (moment === 'before-eval' && !evaluated) counts.beforeEval++;
    const kept = ['checkpoint', '.checkpoint-previous'].map((dir) => join(out, dir)).find((dir) => existsSync(join(dir, 'trainer-state.json')));
    if (kept && !checksumsHold(kept)) counts.corrupt++;
    const lost = stepsLogged(out) - (kept ? checkpointStep(kept) : 0);
    counts.maxLost = Math.max(counts.maxLost, lost);
    console.log(
      `  ${String(i + 1).padStart(2)} ${moment.padEnd(16)} killed at step ${stepsLogged(out)}, checkpoint ${kept ? checkpointStep(kept) : 'none'}` +
        `${staging > 0 ? ', a checkpoint half-written' : ''}${moment === 'before-eval' && !evaluated ? ', its evaluation not logged' : ''}`,
    );
  }
  const last = await ended(train(configFile, out, hasCheckpoint(out)));
  if (last.code !== 0) throw new Error(`the final resume failed (exit ${last.code})`);

  const files = ['model.safetensors', 'optimizer.safetensors', 'trainer-state.json', 'preprocessor_config.json', 'clipkit.json'];
  const same = (file: string) => {
    const [x, y] = [join(out, 'checkpoint', file), join(reference, 'checkpoint', file)].map((path) => readFileSync(path));
    return file === 'clipkit.json' ? isDeepStrictEqual(JSON.parse(x.toString()), JSON.parse(y.toString())) : x.equals(y);
  };
  const differing = files.filter((file) => !same(file));
  const [a, b] = [untimed(reference), untimed(out)];
  const sameMetrics = a.length === b.length && a.every((line, i) => line === b[i]);
  const leftovers = readdirSync(out).filter((name) => !['checkpoint', 'metrics.jsonl', 'training.svg'].includes(name));
  console.log(
    `\nkills: ${counts.killed}/${kills} (${counts.missed} runs ended before their moment), ${counts.duringWrite} during a checkpoint write, ` +
      `${counts.beforeEval} between a checkpoint and its evaluation; resumed ${counts.killed}/${counts.killed}`,
  );
  console.log(`corrupt checkpoints after a kill: ${counts.corrupt}; most steps lost to a kill: ${counts.maxLost} (checkpoint interval ${CHECKPOINT_EVERY})`);
  console.log(
    `checkpoint files identical to the uninterrupted run: ${files.length - differing.length}/${files.length}${differing.length ? ` (differ: ${differing.join(', ')})` : ''}`,
  );
  console.log(`metrics.jsonl: ${b.length} lines vs ${a.length}, identical without samplesPerSecond: ${sameMetrics ? 'yes' : 'no'}`);
  console.log(`left in the run folder besides checkpoint/, metrics.jsonl and training.svg: ${leftovers.length ? leftovers.join(', ') : 'nothing'}`);
  if (differing.length > 0 || !sameMetrics || leftovers.length > 0 || counts.corrupt > 0 || counts.maxLost > CHECKPOINT_EVERY) process.exitCode = 1;
  else console.log(`work folder: ${work}`);
}

export const killResumeBenchmark: Benchmark = {
  name: 'kill-resume',
  description: 'SIGKILLs a tiny training run at 20 moments, resumes each time, and compares with an uninterrupted run (--kills N, --seed S)',
  run: killResume,
};
