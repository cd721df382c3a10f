export { ClipLoss } from './clip-loss.js';
export { clipSoftmaxLoss } from './clip-softmax-loss.js';
export { type ClipLossConfig, clipLossPlugin, plugins, type SigLipLossConfig, sigLipLossPlugin } from './loss-plugins.js';
export { SigLipLoss } from './siglip-loss.js';
export { type SigLipSigmoidLossOptions, sigLipSigmoidLoss } from './siglip-sigmoid-loss.js';
export { similarityLogits } from './similarity-logits.js';
