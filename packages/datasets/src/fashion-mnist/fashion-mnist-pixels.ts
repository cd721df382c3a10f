import { FASHION_MNIST_IMAGE_SIZE, FASHION_MNIST_MEAN, FASHION_MNIST_PAD, FASHION_MNIST_SOURCE_SIZE, FASHION_MNIST_STD } from './fashion-mnist-recipe.js';

const f = Math.fround;

/** The recipe's float32 steps: x = byte / 255, then (x - 0.2860) / 0.3530. */
function normalise(byte: number): number {
  return f(f(f(byte / 255) - f(FASHION_MNIST_MEAN)) / f(FASHION_MNIST_STD));
}

const TABLE = Float32Array.from({ length: 256 }, (_, byte) => normalise(byte));

/** What the zero padding becomes: (0 - 0.2860) / 0.3530. */
export const FASHION_MNIST_PAD_VALUE = TABLE[0];

/**
 * The recipe's preprocessing of images `indices` of `images` (28x28 bytes each): zero-pad 2 px to 32x32,
 * normalise, and repeat in 3 identical channels. Returns NCHW float32 [N, 3, 32, 32].
 */
export function fashionMnistPixels(images: Uint8Array, indices: ArrayLike<number>): Float32Array {
  const side = FASHION_MNIST_IMAGE_SIZE;
  const source = FASHION_MNIST_SOURCE_SIZE;
  const plane = side * side;
  const out = new Float32Array(indices.length * 3 * plane).fill(FASHION_MNIST_PAD_VALUE);
  for (let n = 0; n < indices.length; n++) {
    const from = indices[n] * source * source;
    const to = n * 3 * plane;
    for (let y = 0; y < source; y++) {
      const row = to + (y + FASHION_MNIST_PAD) * side + FASHION_MNIST_PAD;
      for (let x = 0; x < source; x++) out[row + x] = TABLE[images[from + y * source + x]];
    }
    out.copyWithin(to + plane, to, to + plane); // [1, 32, 32] -> channel 1
    out.copyWithin(to + 2 * plane, to, to + plane); // -> channel 2
  }
  return out;
}
