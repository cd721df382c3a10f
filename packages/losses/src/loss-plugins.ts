import { ClipkitError, type ClipPlugin, type ContrastiveLoss, definePlugin, LOSS } from '@clipkit/core';
import { ClipLoss } from './clip-loss.js';
import { SigLipLoss } from './siglip-loss.js';

/** `loss.type: "clip"`: the softmax loss with a learnable logit scale. */
export const clipLossPlugin = definePlugin<ContrastiveLoss>({
  slot: LOSS,
  type: 'clip',
  create: ({ loss }) => {
    if (loss.type !== 'clip') throw new ClipkitError(`clipLossPlugin was asked for loss.type "${loss.type}"; it implements "clip" only.`);
    return new ClipLoss(loss);
  },
});

/** `loss.type: "siglip"`: the sigmoid loss with a learnable logit scale and bias, optionally chunked. */
export const sigLipLossPlugin = definePlugin<ContrastiveLoss>({
  slot: LOSS,
  type: 'siglip',
  create: ({ loss }) => {
    if (loss.type !== 'siglip') throw new ClipkitError(`sigLipLossPlugin was asked for loss.type "${loss.type}"; it implements "siglip" only.`);
    return new SigLipLoss(loss);
  },
});

/** Every loss plug-in of this package, to pass to assembleClip. */
export const lossPlugins: readonly ClipPlugin<ContrastiveLoss>[] = [clipLossPlugin, sigLipLossPlugin];
