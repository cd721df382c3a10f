import { type PreprocessConfig, SeededRandom } from '@clipkit/core';
import { ClipImageTransform, preprocessTransform, type RgbImage, randomResizedCropBox, resizedCrop } from '@clipkit/images';
import type { AugmentConfig } from './augment-schema.js';
import { itemRandom } from './data-random.js';

/** What an ImagePipeline is made from: plain data, so a worker thread can build the same pipeline. */
export interface ImagePipelineOptions {
  readonly preprocess: PreprocessConfig;
  /** model.vision.imageSize */
  readonly imageSize: number;
  readonly augment: AugmentConfig | null;
  /** Key of the augmentation draws (from train.seed). */
  readonly augmentKey: number;
}

/** The key of a run's augmentation draws, forked from a copy of train.seed's data generator, which is left as it was (so the data order does not change). */
export function augmentKey(data: SeededRandom): number {
  return SeededRandom.fromState(data.state).fork('augment').nextUint32();
}

/**
 * How a dataset turns its images into pixel values: `preprocess` for evaluation; for training, when `augment`
 * is set, open_clip's train transform first, RandomResizedCrop to the resize size (the model's size for
 * resizeMode "none"), then the crop (or zero padding) to the model's size and the normalisation. The crop
 * window of training sample `index` of `epoch` is drawn from (key, epoch, index) alone, so a resumed run
 * and a worker thread draw exactly what an uninterrupted run on the main thread draws.
 */
export class ImagePipeline {
  /** The whole evaluation transform. */
  readonly transform: ClipImageTransform;
  /** Crop or padding and normalisation only, after the augmentation's own resize. */
  private readonly afterCrop: ClipImageTransform;
  private readonly cropSize: number;

  constructor(readonly options: ImagePipelineOptions) {
    const { preprocess, imageSize } = options;
    this.transform = preprocessTransform(preprocess, imageSize);
    this.afterCrop = new ClipImageTransform({ ...this.transform.options, size: null });
    this.cropSize = preprocess.resizeMode === 'none' ? imageSize : preprocess.size;
  }

  /** Values per image, 3 x S x S. */
  get size(): number {
    return 3 * this.options.imageSize * this.options.imageSize;
  }

  /** An evaluation image as CHW float32 [3, S, S], into `out` at `offset` when given. */
  evaluate(image: RgbImage, out?: Float32Array<ArrayBuffer>, offset?: number): Float32Array {
    return this.transform.transform(image, out, offset);
  }

  /** Training sample `index` (its position in the epoch) of `epoch`, augmented when the pipeline augments. */
  train(image: RgbImage, epoch: number, index: number, out?: Float32Array<ArrayBuffer>, offset?: number): Float32Array {
    const { augment, augmentKey } = this.options;
    if (augment === null) return this.evaluate(image, out, offset);
    const rng = itemRandom(itemRandom(augmentKey, epoch).nextUint32(), index);
    const box = randomResizedCropBox(image.width, image.height, augment, () => rng.uniform());
    return this.afterCrop.transform(resizedCrop(image, box, this.cropSize), out, offset);
  }
}
