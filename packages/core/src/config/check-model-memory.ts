import { totalmem } from 'node:os';
import type { AnyClipPlugin } from '../di/plugin.js';
import type { ConfigProblem } from '../errors.js';
import type { ClipConfig } from './clip-config.js';
import type { TowerSize } from './tower-size.js';

/** The largest typed array Node allocates (buffer.constants.MAX_LENGTH on 64-bit): tfjs holds each tensor in one. */
export const MAX_TENSOR_BYTES = 2 ** 32;
/** Bytes a parameter takes while training: float32 weight, gradient and AdamW's two moments. */
const TRAINING_BYTES_PER_PARAMETER = 16;

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/** Where the machine's limits come from; tests give their own. */
export interface MemoryLimits {
  /** Bytes of memory of the machine. Default os.totalmem(). */
  readonly totalBytes?: number;
}

function towerSizes(config: ClipConfig, plugins: readonly AnyClipPlugin[]): { path: string; size: TowerSize }[] {
  const sizes: { path: string; size: TowerSize }[] = [];
  for (const [path, section] of [
    ['model.vision', config.model.vision],
    ['model.text', config.model.text],
  ] as const) {
    const plugin = plugins.find((p) => p.slot.section === path && p.type === section.type && p.size);
    if (plugin) sizes.push({ path, size: plugin.size!(section, config.model.embedDim) });
  }
  return sizes;
}

/**
 * Problems with a model too big for this machine, estimated from the config before any weight is allocated:
 * its float32 weights must fit in memory. With `training`, also one micro-batch (train.batchSize /
 * train.accumulationSteps) of a training step: no tensor may exceed what Node can allocate (4 GiB), and the
 * weights, gradients, AdamW moments and kept activations must fit in memory. The estimates come from the tower
 * plug-ins' `size`; towers without one are not checked.
 */
export function modelMemoryProblems(config: ClipConfig, plugins: readonly AnyClipPlugin[], training: boolean, limits: MemoryLimits = {}): ConfigProblem[] {
  const total = limits.totalBytes ?? totalmem();
  const sizes = towerSizes(config, plugins);
  const parameters = sizes.reduce((sum, { size }) => sum + size.parameters, 0);
  const problems: ConfigProblem[] = [];
  if (parameters * 4 > total) {
    problems.push({
      path: 'model',
      message: `the towers have about ${parameters.toExponential(2)} parameters, ${gb(parameters * 4)} of float32 weights, more than this machine's ${gb(total)} of memory; choose smaller widths or fewer layers`,
      value: parameters,
    });
    return problems;
  }
  if (!training) return problems;
  const micro = config.train.batchSize / config.train.accumulationSteps;
  for (const { path, size } of sizes) {
    const bytes = micro * size.largestTensor * 4;
    if (bytes > MAX_TENSOR_BYTES) {
      problems.push({
        path: 'train.batchSize',
        message: `a micro-batch of ${micro} makes a tensor of ${gb(bytes)} in ${path} (more than the 4 GB Node can allocate at once); lower train.batchSize, raise train.accumulationSteps, or shrink the tower (fewer tokens: a smaller imageSize or larger patchSize)`,
        value: config.train.batchSize,
      });
    }
  }
  const activations = sizes.reduce((sum, { size }) => sum + size.activations, 0);
  const step = parameters * TRAINING_BYTES_PER_PARAMETER + micro * activations * 4;
  if (problems.length === 0 && step > total) {
    problems.push({
      path: 'train.batchSize',
      message: `a training step with micro-batches of ${micro} needs about ${gb(step)} (weights, gradients, AdamW moments and activations), more than this machine's ${gb(total)}; lower train.batchSize or raise train.accumulationSteps`,
      value: config.train.batchSize,
    });
  }
  return problems;
}
