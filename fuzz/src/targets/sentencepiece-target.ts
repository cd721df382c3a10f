import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutate } from '@clipkit/checkpoints/testing';
import type { SeededRandom } from '@clipkit/core';
import {
  parseSentencePieceModel,
  type SentencePieceModel,
  SiglipTokenizer,
  sentencePieceModelFromTokenizerJson,
  tokenizerJsonFromSentencePieceModel,
} from '@clipkit/tokenizer-sentencepiece';
import { check, type FuzzInput, type FuzzTarget, outcomeOf, SHARED } from '../fuzz-target.js';
import { type Json, mutateJson } from '../mutate-json.js';

const MODELS = ['models/siglip-tiny/spiece.model', 'tokenizer-siglip/spiece.model'];
const TEXTS = ['a photo of a cat', 'Ünïcödé, 中文 and 🙂!', ' leading  spaces ', ''];

/** A model read from a mutated file must give a working tokenizer: ids in its vocabulary for a few texts. */
function checkModel(model: SentencePieceModel): void {
  const tokenizer = new SiglipTokenizer(model);
  for (const text of TEXTS) {
    const rows = tokenizer.tokenize([text], { contextLength: 16 });
    for (const id of rows) check(Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize, `id ${id} outside the vocabulary of ${tokenizer.vocabSize}`);
  }
}

/** The SentencePiece readers: spiece.model (protobuf) byte mutations and tokenizer.json JSON mutations, each then tokenizing. */
export const sentencepieceTarget: FuzzTarget = {
  name: 'sentencepiece',
  description: 'parseSentencePieceModel (spiece.model bytes) and sentencePieceModelFromTokenizerJson (tokenizer.json), then SiglipTokenizer on a few texts',
  async prepare() {
    const models = MODELS.map((file) => new Uint8Array(readFileSync(join(SHARED, 'fixtures', file))));
    const json = tokenizerJsonFromSentencePieceModel(parseSentencePieceModel(models[0], MODELS[0])) as Json;
    return (random: SeededRandom): FuzzInput => {
      if (random.int(2) === 0) {
        const which = random.int(models.length);
        const { bytes, description } = mutate(models[which], random);
        return { description: `${MODELS[which]}: ${description}`, length: bytes.length, run: () => outcomeOf(() => checkModel(parseSentencePieceModel(bytes, 'spiece.model'))) };
      }
      const { value, description } = mutateJson(json, random);
      const run = () => outcomeOf(() => checkModel(sentencePieceModelFromTokenizerJson(value, 'tokenizer.json')));
      return { description: `tokenizer.json: ${description}`, length: JSON.stringify(value).length, run };
    };
  },
};
