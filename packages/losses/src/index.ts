export { similarityLogits } from './similarity-logits.js';
export { clipSoftmaxLoss } from './clip-softmax-loss.js';
export { sigLipSigmoidLoss, type SigLipSigmoidLossOptions } from './siglip-sigmoid-loss.js';
export { ClipLoss, type ClipLossOptions } from './clip-loss.js';
export { SigLipLoss, type SigLipLossOptions } from './siglip-loss.js';
export { clipLossPlugin, lossPlugins, sigLipLossPlugin } from './loss-plugins.js';
