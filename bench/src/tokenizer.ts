import { SeededRandom } from '@clipkit/core';
import { type ClipTokenizer, loadClipTokenizer } from '@clipkit/text-transformer';
import type { Benchmark } from './benchmarks.js';

interface Options {
  captions: number;
  repeats: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { captions: 20_000, repeats: 5 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], Number(args[i + 1])];
    if (flag === '--captions' && Number.isInteger(value) && value > 0) options.captions = value;
    else if (flag === '--repeats' && Number.isInteger(value) && value > 0) options.repeats = value;
    else throw new Error(`tokenizer: unknown argument "${args[i]} ${args[i + 1]}"; use --captions N, --repeats N`);
  }
  return options;
}

const ADJECTIVES = ['small', 'large', 'old', 'young', 'happy', 'fluffy', 'shiny', 'wet', 'striped', 'tiny', 'black and white', 'bright'];
const COLOURS = ['red', 'blue', 'green', 'yellow', 'brown', 'white', 'black', 'orange', 'purple', 'grey'];
const SUBJECTS = ['dog', 'cat', 'man', 'woman', 'child', 'car', 'bicycle', 'bird', 'horse', 'pizza', 'laptop', 'building', 'boat', 'tree', 'train', 'skateboarder'];
const ACTIONS = ['sitting on', 'running across', 'standing next to', 'looking at', 'lying under', 'jumping over', 'parked near', 'flying above', 'waiting by'];
const PLACES = ['the beach', 'a wooden table', 'the grass', 'a busy street', 'the snow', 'a red sofa', 'the river bank', 'a kitchen counter', 'the city at night'];
const STYLES = ['A photo of', 'a picture of', 'An image showing', 'Close-up of', 'a blurry photo of', 'A painting of'];
/** A few captions leave the ASCII fast path, as real caption sets do: accents, quotes, entities, emoji. */
const EXTRAS = ['at the café', '— “golden hour”', 'in São Paulo', '&amp; friends', '🐶', "it's a 4K shot", '(No. 7)'];

/** `count` varied captions, the same for every run. */
export function generateCaptions(count: number, seed = 2024): string[] {
  const rng = new SeededRandom(seed);
  const pick = (words: readonly string[]) => words[rng.int(words.length)];
  return Array.from({ length: count }, () => {
    const quantity = rng.int(4) === 0 ? `${2 + rng.int(9)} ` : 'a ';
    let caption = `${pick(STYLES)} ${quantity}${pick(ADJECTIVES)} ${pick(COLOURS)} ${pick(SUBJECTS)} ${pick(ACTIONS)} ${pick(PLACES)}`;
    if (rng.int(10) === 0) caption += ` ${pick(EXTRAS)}`;
    return rng.int(2) === 0 ? `${caption}.` : caption;
  });
}

/** Captions and tokens per second of one pass of `encode` over every caption. */
function encodePass(tokenizer: ClipTokenizer, captions: readonly string[]): { captionsPerSecond: number; tokensPerSecond: number } {
  let tokens = 0;
  const start = performance.now();
  for (const caption of captions) tokens += tokenizer.encode(caption).length;
  const seconds = (performance.now() - start) / 1000;
  return { captionsPerSecond: captions.length / seconds, tokensPerSecond: tokens / seconds };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (x: number) => Math.round(x).toLocaleString('en-US');

export const tokenizerBenchmark: Benchmark = {
  name: 'tokenizer',
  description: 'CLIP BPE tokenizer: captions/s and tokens/s encoding 20,000 generated captions (single thread; cold and warm word cache)',
  async run(args) {
    const options = parseArgs(args);
    const captions = generateCaptions(options.captions);
    const loadStart = performance.now();
    const tokenizer = loadClipTokenizer();
    console.log(`tokenizer: bundled OpenAI vocabulary (${tokenizer.vocabSize} tokens) loaded in ${Math.round(performance.now() - loadStart)} ms`);
    console.log(`${captions.length} captions, e.g. ${JSON.stringify(captions[0])}; single thread, Node ${process.versions.node}`);

    const cold = encodePass(tokenizer, captions);
    console.log(`cold (empty word cache, first pass): ${rate(cold.captionsPerSecond)} captions/s, ${rate(cold.tokensPerSecond)} tokens/s`);

    encodePass(tokenizer, captions); // warm-up: JIT and word cache
    const warm = Array.from({ length: options.repeats }, () => encodePass(tokenizer, captions));
    console.log(
      `warm encode (median of ${options.repeats}): ${rate(median(warm.map((w) => w.captionsPerSecond)))} captions/s, ${rate(median(warm.map((w) => w.tokensPerSecond)))} tokens/s`,
    );

    const rows: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const start = performance.now();
      tokenizer.tokenize(captions);
      rows.push(captions.length / ((performance.now() - start) / 1000));
    }
    console.log(`warm tokenize to [${captions.length}, 77] rows (median of ${options.repeats}): ${rate(median(rows))} captions/s`);

    tokenizer.clearCache();
    const recold = encodePass(tokenizer, captions);
    console.log(`cold again (cache cleared, JIT warm): ${rate(recold.captionsPerSecond)} captions/s, ${rate(recold.tokensPerSecond)} tokens/s`);
  },
};
