import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SeededRandom } from '@clipkit/core';
import { loadSentencePieceTokenizer, type SiglipTokenizer } from '@clipkit/tokenizer-sentencepiece';
import type { Benchmark } from './benchmarks.js';
import { generateCaptions } from './tokenizer.js';

interface Options {
  captions: number;
  repeats: number;
  model: string | undefined;
}

function parseArgs(args: string[]): Options {
  const options: Options = { captions: 20_000, repeats: 5, model: undefined };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--captions' && Number.isInteger(Number(value)) && Number(value) > 0) options.captions = Number(value);
    else if (flag === '--repeats' && Number.isInteger(Number(value)) && Number(value) > 0) options.repeats = Number(value);
    else if (flag === '--model' && value !== undefined) options.model = value;
    else throw new Error(`sentencepiece: unknown argument "${flag} ${value}"; use --captions N, --repeats N, --model <spiece.model | tokenizer.json | directory>`);
  }
  return options;
}

/** The SigLIP fixture's tokenizer folder, found as the tests find the shared fixtures. */
function fixtureModel(): string {
  const repository = resolve(import.meta.dirname, '../..');
  const shared = [process.env.CLIPKIT_SHARED, resolve(repository, '../shared'), '/work/shared'].find(
    (dir) => dir && existsSync(join(dir, 'fixtures/models/siglip-tiny/spiece.model')),
  );
  if (!shared) throw new Error('sentencepiece: no SigLIP tokenizer found; set CLIPKIT_SHARED to the shared fixtures or pass --model <spiece.model>');
  return join(shared, 'fixtures/models/siglip-tiny');
}

/** `count` code units of random Unicode: letters and spaces, any BMP unit (lone surrogates included), NUL. */
function randomUnicode(count: number, seed: number): string {
  const rng = new SeededRandom(seed);
  const units = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const roll = rng.int(10);
    units[i] = roll === 0 ? 0 : roll < 5 ? 0x20 + rng.int(0x60) : rng.int(0x10000);
  }
  return new TextDecoder('utf-16le').decode(units);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (x: number) => Math.round(x).toLocaleString('en-US');

/** Median seconds of `run` over `repeats` runs, after one warm-up. */
function time(run: () => void, repeats: number): number {
  run();
  return median(
    Array.from({ length: repeats }, () => {
      const start = performance.now();
      run();
      return (performance.now() - start) / 1000;
    }),
  );
}

/**
 * Time per byte for long single texts, which stays flat when tokenizing is linear in the length. The fastest
 * of the repeats is kept: on a shared machine the others measure the neighbours.
 */
function scaling(tokenizer: SiglipTokenizer, label: string, make: (length: number) => string, repeats: number): void {
  const cells = [10_000, 100_000, 1_000_000].map((length) => {
    const text = make(length);
    tokenizer.tokenize([text]);
    const seconds = Math.min(
      ...Array.from({ length: repeats }, () => {
        const start = performance.now();
        tokenizer.tokenize([text]);
        return (performance.now() - start) / 1000;
      }),
    );
    return `${length / 1000} kB ${(seconds * 1000).toFixed(1)} ms = ${((seconds / length) * 1e9).toFixed(0)} ns/B`;
  });
  console.log(`${label}: ${cells.join(', ')}`);
}

export const sentencepieceBenchmark: Benchmark = {
  name: 'sentencepiece',
  description: 'SigLIP SentencePiece tokenizer: texts/s tokenizing 20,000 generated captions to [N, 64] rows, and ns per byte for 10 kB..1 MB texts',
  async run(args) {
    const options = parseArgs(args);
    const path = options.model ?? fixtureModel();
    const loadStart = performance.now();
    const tokenizer = loadSentencePieceTokenizer(path);
    console.log(`tokenizer: ${path} (${tokenizer.vocabSize} pieces) loaded in ${Math.round(performance.now() - loadStart)} ms; single thread, Node ${process.versions.node}`);

    const captions = generateCaptions(options.captions);
    const seconds = time(() => tokenizer.tokenize(captions, { contextLength: 64 }), options.repeats);
    const tokens = captions.reduce((sum, caption) => sum + tokenizer.encode(caption).length, 0);
    console.log(`${captions.length} captions, e.g. ${JSON.stringify(captions[0])}`);
    console.log(`tokenize to [${captions.length}, 64] rows (median of ${options.repeats}): ${rate(captions.length / seconds)} texts/s, ${rate(tokens / seconds)} tokens/s`);

    const prose = captions.join(' ');
    scaling(tokenizer, 'captions as one text', (length) => prose.repeat(Math.ceil(length / prose.length)).slice(0, length), options.repeats);
    scaling(tokenizer, 'random Unicode (lone surrogates, NUL)', (length) => randomUnicode(length, 3), options.repeats);
  },
};
