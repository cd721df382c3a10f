export { AttentionPool2d } from './attention-pool-2d.js';
export { averagePool } from './average-pool.js';
export { BatchNorm2d } from './batch-norm-2d.js';
export { Bottleneck } from './bottleneck.js';
export { Conv2d, type Conv2dOptions } from './conv2d.js';
export { ModifiedResNet } from './modified-resnet.js';
export { resnetPlugin } from './resnet-plugin.js';
