import { Layer, LayerNorm, MLP } from '@clipkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One Mixer layer (Tolstikhin et al. 2021, "MLP-Mixer", eq. 1): a token-mixing MLP shared by the channels,
 * then a channel-mixing MLP shared by the tokens, each after a LayerNorm and inside a residual connection.
 * Both MLPs are @clipkit/layers' MLP (fc, GELU, fc), so their products and GELU run on the backend's ops.
 */
export class MixerBlock extends Layer {
  /**
   * @param {number} tokens patches per image (T)
   * @param {number} width channels per token (C)
   * @param {number} tokenMlpWidth hidden width of the token-mixing MLP (D_S)
   * @param {number} channelMlpWidth hidden width of the channel-mixing MLP (D_C)
   * @param {import('@clipkit/core').SeededRandom} rng
   */
  constructor(tokens, width, tokenMlpWidth, channelMlpWidth, rng) {
    super();
    this.norm1 = this.addChild('norm1', new LayerNorm(width));
    this.tokenMlp = this.addChild('token_mlp', new MLP(tokens, tokenMlpWidth, rng, { activation: 'gelu' }));
    this.norm2 = this.addChild('norm2', new LayerNorm(width));
    this.channelMlp = this.addChild('channel_mlp', new MLP(width, channelMlpWidth, rng, { activation: 'gelu' }));
  }

  /**
   * U = X + (MLP_tokens(LN(X)ᵀ))ᵀ, then Y = U + MLP_channels(LN(U)).
   * @param {tf.Tensor3D} x [N, T, C]
   * @returns {tf.Tensor3D} [N, T, C]
   */
  apply(x) {
    return tf.tidy(() => {
      const byChannel = tf.transpose(this.norm1.apply(x), [0, 2, 1]); // [N, C, T]: the MLP mixes along T
      const u = /** @type {tf.Tensor3D} */ (tf.add(x, tf.transpose(this.tokenMlp.apply(byChannel), [0, 2, 1]))); // [N, T, C]
      return tf.add(u, this.channelMlp.apply(this.norm2.apply(u))); // [N, T, C]
    });
  }
}
