import { mixerPlugin } from './mixer-plugin.js';

export { MixerBlock } from './mixer-block.js';
export { mixerPlugin } from './mixer-plugin.js';
export { mixerSchema } from './mixer-schema.js';
export { MlpMixer } from './mlp-mixer.js';

/** What `"plugins": ["clipkit-encoders-mixer"]` in a config loads: the clipkit command imports this list. */
export const plugins = [mixerPlugin];
