/**
 * open_clip's ViT-B-32 and RN50 model configs (src/open_clip/model_configs/ViT-B-32.json, RN50.json), the
 * shapes the tower benchmarks build with random weights.
 */
const TEXT_CFG = { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 };

export const OPEN_CLIP_SHAPES = {
  'ViT-B-32': { embed_dim: 512, vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 32 }, text_cfg: TEXT_CFG },
  RN50: { embed_dim: 1024, vision_cfg: { image_size: 224, layers: [3, 4, 6, 3], width: 64, patch_size: null }, text_cfg: TEXT_CFG },
};
