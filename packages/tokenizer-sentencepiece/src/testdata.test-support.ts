import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SafetensorsFile, toInt32 } from '@clipkit/core';
import { parseSentencePieceModel, readSentencePieceModel, type SentencePieceModel } from './sentencepiece-model.js';

// The reference material of the tests: the SigLIP fixture (../shared/fixtures/tokenizer-siglip, from
// transformers' SiglipTokenizer) and testdata/ (from the real sentencepiece 0.1.97 and Python 3.11, made by
// scripts/generate-sentencepiece-cases.py).

const SIGLIP_FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer-siglip`;
export const SIGLIP_TINY = `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`;
export const SPIECE_MODEL = `${SIGLIP_FIXTURES}/spiece.model`;

export const testdataPath = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url));

const jsonLines = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

/** A case of the SigLIP fixture: transformers' SiglipTokenizer on `text`. */
export interface SiglipCase {
  text: string;
  category: string;
  pieces: string[];
  ids: number[];
  padded: number[];
}

export const SIGLIP_CASES = jsonLines<SiglipCase>(`${SIGLIP_FIXTURES}/cases.jsonl`);

export type TestModel = 'spiece' | 'rules' | 'suffix';

/** A case of testdata/sentencepiece-cases.jsonl: sentencepiece's encode and decode of `text`. */
export interface SentencePieceCase {
  model: TestModel;
  add_dummy_prefix: boolean;
  text: string;
  pieces: string[];
  ids: number[];
  decoded: string;
  decoded_pieces: string;
}

export const SENTENCEPIECE_CASES = jsonLines<SentencePieceCase>(testdataPath('sentencepiece-cases.jsonl'));

/** Each test model's pieces as sentencepiece reports them: [piece, score, type]. */
export const VOCABS = JSON.parse(readFileSync(testdataPath('vocab.json'), 'utf8')) as Record<TestModel, [string, number, number][]>;

export function loadTestModel(name: TestModel): SentencePieceModel {
  if (name === 'spiece') return readSentencePieceModel(SPIECE_MODEL);
  return parseSentencePieceModel(readFileSync(testdataPath(`${name}.model`)), `${name}.model`);
}

/** siglip-tiny's inputs.safetensors: the texts (in its metadata) and the input_ids [5, 16] SiglipTokenizer made of them. */
export async function siglipTinyInputs(): Promise<{ texts: string[]; inputIds: Int32Array }> {
  const file = await SafetensorsFile.open(`${SIGLIP_TINY}/inputs.safetensors`);
  try {
    return { texts: JSON.parse(file.metadata.texts) as string[], inputIds: toInt32(await file.read('input_ids'), 'input_ids') };
  } finally {
    await file.close();
  }
}
