import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSentencePieceModel, loadSentencePieceTokenizer } from './load-sentencepiece-tokenizer.js';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceModelError } from './sentencepiece-model-error.js';
import { readSiglipTokenizerConfig } from './siglip-tokenizer-config.js';
import { loadTestModel, SIGLIP_CASES, SIGLIP_TINY, SPIECE_MODEL, siglipTinyInputs } from './testdata.test-support.js';
import { writeTokenizerJson } from './tokenizer-json.js';

// Truth: siglip-tiny's folder as SiglipTokenizer.save_pretrained wrote it (model_max_length 16, the
// inputs.safetensors rows it produced), the fixture's 300 rows, and transformers' rules for the config files
// (special_tokens_map.json over tokenizer_config.json, added_tokens_decoder's lstrip/rstrip).

const root = mkdtempSync(join(tmpdir(), 'clipkit-sentencepiece-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh model directory holding `files` (name -> source path or JSON content). */
function modelDir(files: Record<string, string | object>): string {
  const dir = join(root, `model-${dirs++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') copyFileSync(content, join(dir, name));
    else writeFileSync(join(dir, name), JSON.stringify(content));
  }
  return dir;
}

describe('loadSentencePieceTokenizer', () => {
  it("loads siglip-tiny's folder: model_max_length 16 and the rows it was run on", async () => {
    const tokenizer = loadSentencePieceTokenizer(SIGLIP_TINY);
    expect(tokenizer.modelMaxLength).toBe(16);
    const { texts, inputIds } = await siglipTinyInputs();
    expect([...tokenizer.tokenize(texts)]).toEqual([...inputIds]);
  });

  it('loads a spiece.model file, a tokenizer.json file and a directory with only tokenizer.json, all giving the fixture rows', async () => {
    const jsonDir = modelDir({ 'tokenizer_config.json': `${SIGLIP_TINY}/tokenizer_config.json` });
    await writeTokenizerJson(join(jsonDir, 'tokenizer.json'), readSentencePieceModel(SPIECE_MODEL));
    for (const path of [SPIECE_MODEL, join(jsonDir, 'tokenizer.json'), jsonDir]) {
      const tokenizer = loadSentencePieceTokenizer(path);
      const rows = tokenizer.tokenize(
        SIGLIP_CASES.map((c) => c.text),
        { contextLength: 16 },
      );
      expect(SIGLIP_CASES.filter((c, i) => rows.subarray(i * 16, i * 16 + 16).some((id, j) => id !== c.padded[j])).map((c) => c.text)).toEqual([]);
    }
    expect(loadSentencePieceTokenizer(jsonDir).modelMaxLength).toBe(16);
    expect(loadSentencePieceTokenizer(SPIECE_MODEL).modelMaxLength).toBe(64); // no config beside the fixture's spiece.model
  });

  it('reads spiece.model when a directory holds both files', async () => {
    const dir = modelDir({ 'spiece.model': SPIECE_MODEL });
    await writeTokenizerJson(join(dir, 'tokenizer.json'), loadTestModel('rules'));
    expect(loadSentencePieceModel(dir).source).toBe(join(dir, 'spiece.model'));
    expect(loadSentencePieceTokenizer(dir).vocabSize).toBe(1000);
  });

  it('says what is missing or unreadable', () => {
    expect(() => loadSentencePieceTokenizer(join(root, 'nothing-here'))).toThrow(/tokenizer file not found: .*nothing-here; give a spiece\.model, a tokenizer\.json/);
    expect(() => loadSentencePieceTokenizer(modelDir({}))).toThrow(/no tokenizer files; expected spiece\.model or tokenizer\.json/);
    const broken = modelDir({ 'tokenizer.json': {} });
    writeFileSync(join(broken, 'tokenizer.json'), '{ not json');
    expect(() => loadSentencePieceTokenizer(broken)).toThrow(SentencePieceModelError);
    expect(() => loadSentencePieceTokenizer(broken)).toThrow(/tokenizer\.json: not valid JSON/);
  });
});

describe('readSiglipTokenizerConfig', () => {
  it("reads siglip-tiny's tokenizer_config.json and special_tokens_map.json", () => {
    const options = readSiglipTokenizerConfig(SIGLIP_TINY);
    expect(options).toMatchObject({ doLowerCase: true, modelMaxLength: 16, cleanUpTokenizationSpaces: true });
    expect(options.eosToken).toEqual({ content: '</s>', lstrip: true, rstrip: true });
    expect(options.padToken).toEqual({ content: '</s>', lstrip: true, rstrip: true });
    expect(options.unkToken).toEqual({ content: '<unk>', lstrip: true, rstrip: true });
  });

  it('keeps the defaults without config files, and 64 for the "no limit" model_max_length', () => {
    expect(readSiglipTokenizerConfig(modelDir({}))).toEqual({
      doLowerCase: undefined,
      modelMaxLength: undefined,
      cleanUpTokenizationSpaces: undefined,
      eosToken: undefined,
      unkToken: undefined,
      padToken: undefined,
      additionalSpecialTokens: [],
    });
    const dir = modelDir({ 'spiece.model': SPIECE_MODEL, 'tokenizer_config.json': { model_max_length: 1e30 } });
    expect(loadSentencePieceTokenizer(dir).modelMaxLength).toBe(64);
  });

  it('lets special_tokens_map.json override tokenizer_config.json, and added_tokens_decoder set lstrip/rstrip', () => {
    const dir = modelDir({
      'spiece.model': SPIECE_MODEL,
      'tokenizer_config.json': { eos_token: '<unk>', do_lower_case: false, added_tokens_decoder: { '1': { content: '</s>', lstrip: false, rstrip: false } } },
      'special_tokens_map.json': { eos_token: '</s>' },
    });
    expect(readSiglipTokenizerConfig(dir).eosToken).toEqual({ content: '</s>', lstrip: false, rstrip: false });
    const configured = loadSentencePieceTokenizer(dir);
    expect(configured.endOfTextId).toBe(1);
    expect(configured.pieces('A DOG')).not.toEqual(loadSentencePieceTokenizer(SPIECE_MODEL).pieces('A DOG')); // do_lower_case false
    const eosIsUnk = modelDir({ 'spiece.model': SPIECE_MODEL, 'tokenizer_config.json': { eos_token: '<unk>' } });
    expect(loadSentencePieceTokenizer(eosIsUnk).endOfTextId).toBe(2);
  });

  it('names the file and field of a bad config', () => {
    const bad = (config: object | string) => {
      const dir = modelDir({});
      writeFileSync(join(dir, 'tokenizer_config.json'), typeof config === 'string' ? config : JSON.stringify(config));
      return () => readSiglipTokenizerConfig(dir);
    };
    expect(bad('{')).toThrow(/tokenizer_config\.json: not valid JSON/);
    expect(bad('[]')).toThrow(/tokenizer_config\.json: expected a JSON object/);
    expect(bad({ do_lower_case: 'yes' })).toThrow(/tokenizer_config\.json: do_lower_case must be true or false, got "yes"/);
    expect(bad({ eos_token: { lstrip: true } })).toThrow(/tokenizer_config\.json: eos_token must be a string or an object with a string "content"/);
    expect(bad({ additional_special_tokens: '<x>' })).toThrow(ClipkitError);
    const unknownToken = modelDir({ 'spiece.model': SPIECE_MODEL, 'tokenizer_config.json': { pad_token: '<PAD>' } });
    expect(() => loadSentencePieceTokenizer(unknownToken)).toThrow(/special token "<PAD>" is not a piece of the model/);
  });
});
