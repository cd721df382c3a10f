import type { AnyClipPlugin } from '@clipkit/core';

/**
 * The plug-ins of clipkit's own packages: the ViT and ModifiedResNet image towers, the text transformer and
 * its CLIP BPE tokenizer, SigLIP's towers and SentencePiece tokenizer, the CLIP and SigLIP losses, the datasets, and the tfjs and onnxruntime backends.
 * The packages are imported when this is called, not when clipkit is, so a command that needs none of them
 * (`clipkit --help`) loads neither tfjs nor onnxruntime.
 */
export async function defaultPlugins(): Promise<AnyClipPlugin[]> {
  const packages = await Promise.all([
    import('@clipkit/backend-tfjs'),
    import('@clipkit/text-transformer'),
    import('@clipkit/encoders-vit'),
    import('@clipkit/encoders-resnet'),
    import('@clipkit/encoders-siglip'),
    import('@clipkit/tokenizer-sentencepiece'),
    import('@clipkit/losses'),
    import('@clipkit/datasets'),
    import('@clipkit/backend-onnxruntime'),
  ]);
  return packages.flatMap((pkg): AnyClipPlugin[] => pkg.plugins);
}
