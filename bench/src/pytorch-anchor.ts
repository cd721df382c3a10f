import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One anchor's figure: PyTorch on this machine, in this run (../shared/anchors/README.md "Output"). */
export interface AnchorResult {
  items_per_s: number;
  load_before: number;
  load_after: number;
  blas: string;
}

/** The anchors' runner, when ../shared/anchors is beside the repository (or CLIPKIT_SHARED names it). */
function anchorsScript(): string | undefined {
  const repository = resolve(import.meta.dirname, '../..');
  return [process.env.CLIPKIT_SHARED, resolve(repository, '../shared'), '/work/shared']
    .filter((dir): dir is string => dir !== undefined)
    .map((dir) => join(dir, 'anchors/run.sh'))
    .find((path) => existsSync(path));
}

/**
 * Runs a PyTorch anchor (`['infer', 'vitb32-image', '--batch', '16', ...]`, `['train', 'fashion-resnet', ...]`)
 * and returns its result, or the reason there is none (no ../shared/anchors, or its set-up not done): speed
 * claims are ratios to PyTorch measured on the same machine in the same run, never constants.
 */
export function runPytorchAnchor(args: readonly string[]): AnchorResult | string {
  const script = anchorsScript();
  if (!script) return 'no ../shared/anchors beside the repository';
  try {
    const line =
      execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .trim()
        .split('\n')
        .find((l) => l.startsWith('{')) ?? '';
    return JSON.parse(line) as AnchorResult;
  } catch (error) {
    return `${(error as Error).message.split('\n')[0]}; run bash ../shared/anchors/setup.sh once`;
  }
}

/** The inference anchor timing a tower of open_clip's ViT-B-32 / RN50 shapes (`infer vitb32-image` ...). */
const INFERENCE_ANCHORS = { 'ViT-B-32 image': 'vitb32-image', 'ViT-B-32 text': 'vitb32-text', 'RN50 image': 'rn50-image' } as const;
export type AnchoredTower = keyof typeof INFERENCE_ANCHORS;

/** PyTorch's items/s for a tower at this batch and thread count, measured now, or why there is none. */
export function pytorchInference(tower: AnchoredTower, batch: number, threads: number, reps: number): number | string {
  const result = runPytorchAnchor(['infer', INFERENCE_ANCHORS[tower], '--batch', String(batch), '--threads', String(threads), '--reps', String(reps)]);
  return typeof result === 'string' ? result : result.items_per_s;
}
