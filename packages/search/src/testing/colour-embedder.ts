import type { ClipImageTransformOptions } from '@clipkit/images';
import type { SearchEmbedder } from '../search-embedder.js';

/**
 * A hand-made embedder whose rankings are known in advance, for tests, examples and the demo screenshot:
 * an image embeds as the direction of its mean colour (R, G, B), a text as the sum of the colours it
 * names. So "red" ranks a red image first (cosine 1), then orange (1 / sqrt(1.25)), and so on, which
 * follows from the colours painted, not from the code under test.
 */

/** Colour words and their RGB directions. */
const COLOUR_WORDS: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  cyan: [0, 1, 1],
  magenta: [1, 0, 1],
  orange: [1, 0.5, 0],
  purple: [0.5, 0, 1],
  white: [1, 1, 1],
  grey: [1, 1, 1],
};

/** Pixel values are the bytes / 255 (no mean or std), so the embedder reads colours back directly. */
const COLOUR_PREPROCESS: ClipImageTransformOptions = {
  size: 16,
  cropSize: { height: 16, width: 16 },
  rescaleFactor: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

export interface ColourEmbedderOptions {
  /** Default "colour-embedder-v1". */
  readonly modelId?: string;
  /** Default 10. */
  readonly logitScale?: number;
  /** Default null (a CLIP-like model). */
  readonly logitBias?: number | null;
  /** Waits this long in every call, to stand for a slow model. Default 0. */
  readonly delayMs?: number;
  /** Computes (a busy loop on the calling thread) this long in every call, as tfjs backends do. Default 0. */
  readonly busyMs?: number;
}

function normalise(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return norm === 0 ? [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)] : v.map((x) => x / norm);
}

export class ColourEmbedder implements SearchEmbedder {
  readonly modelId: string;
  readonly embedDim = 3;
  readonly logitScale: number;
  readonly logitBias: number | null;
  readonly preprocess = COLOUR_PREPROCESS;
  /** The batches seen, in order: what each call was given. */
  readonly calls: ({ kind: 'pixels'; images: number } | { kind: 'texts'; texts: readonly string[] })[] = [];
  private readonly delayMs: number;
  private readonly busyMs: number;

  constructor(options: ColourEmbedderOptions = {}) {
    this.modelId = options.modelId ?? 'colour-embedder-v1';
    this.logitScale = options.logitScale ?? 10;
    this.logitBias = options.logitBias ?? null;
    this.delayMs = options.delayMs ?? 0;
    this.busyMs = options.busyMs ?? 0;
  }

  /** The embedding of one colour (bytes 0..255). */
  static colourVector(rgb: readonly number[]): number[] {
    return normalise(rgb.map((c) => c / 255));
  }

  /** The embedding of a text: its colour words added up; a text without any is grey. */
  static textVector(text: string): number[] {
    const sum = [0, 0, 0];
    for (const word of text.toLowerCase().split(/[^a-z]+/)) {
      const colour = COLOUR_WORDS[word];
      if (colour) for (const [i, c] of colour.entries()) sum[i] += c;
    }
    return normalise(sum);
  }

  async embedPixels(pixelValues: Float32Array, shape: readonly [number, number, number, number]): Promise<Float32Array> {
    const [n, , h, w] = shape;
    this.calls.push({ kind: 'pixels', images: n });
    await this.wait();
    const plane = h * w;
    const out = new Float32Array(n * 3); // [n, 3]
    for (let i = 0; i < n; i++) {
      const mean = [0, 1, 2].map((c) => {
        let sum = 0;
        for (let p = 0; p < plane; p++) sum += pixelValues[(i * 3 + c) * plane + p];
        return sum / plane;
      });
      out.set(normalise(mean), i * 3);
    }
    return out;
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array> {
    this.calls.push({ kind: 'texts', texts: [...texts] });
    await this.wait();
    return Float32Array.from(texts.flatMap((text) => ColourEmbedder.textVector(text)));
  }

  private wait(): Promise<void> {
    const end = performance.now() + this.busyMs;
    while (performance.now() < end);
    return this.delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.delayMs)) : Promise.resolve();
  }
}
