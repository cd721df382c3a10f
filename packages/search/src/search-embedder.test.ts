import { describe, expect, it } from 'vitest';
import { SearchIndexError } from './errors.js';
import { checkEmbeddings, describeModel, matchProbability } from './search-embedder.js';
import { ColourEmbedder } from './testing/colour-embedder.js';

describe('describeModel', () => {
  it('records id, size, preprocessing, logit scale and bias, and the ref', () => {
    const model = describeModel(new ColourEmbedder({ logitBias: -5 }), '/models/colour');
    expect(model).toEqual({ id: 'colour-embedder-v1', embedDim: 3, preprocess: new ColourEmbedder().preprocess, logitScale: 10, logitBias: -5, ref: '/models/colour' });
  });

  it('rejects an embedder without an id or with a bad size or scale', () => {
    expect(() => describeModel(new ColourEmbedder({ modelId: '' }))).toThrow('modelId must be a non-empty string');
    expect(() => describeModel(new ColourEmbedder({ logitScale: 0 }))).toThrow('logitScale must be a positive number');
    expect(() => describeModel({ ...new ColourEmbedder(), embedDim: 0 } as never)).toThrow(SearchIndexError);
  });
});

describe('checkEmbeddings', () => {
  it('accepts normalised rows and rejects wrong lengths and unnormalised rows', () => {
    const rows = new Float32Array([0.6, 0.8, 0, 0, 0, 1]);
    expect(checkEmbeddings(rows, 2, 3, 'embedTexts')).toBe(rows);
    expect(() => checkEmbeddings(rows, 3, 3, 'embedTexts')).toThrow('embedTexts returned 6 values for 3 rows of 3');
    expect(() => checkEmbeddings(new Float32Array([3, 4, 0]), 1, 3, 'embedPixels')).toThrow('embedPixels returned row 0 with norm 5');
    expect(() => checkEmbeddings(new Float32Array([Number.NaN, 0, 0]), 1, 3, 'embedPixels')).toThrow('norm NaN');
  });
});

describe('matchProbability', () => {
  it("is SigLIP's sigmoid(scale x cosine + bias), and null without a bias", () => {
    // Hand-worked: scale 10, bias -5, cosine 0.5 -> sigmoid(0) = 0.5; cosine 1 -> sigmoid(5) = 0.993307.
    expect(matchProbability(0.5, { logitScale: 10, logitBias: -5 })).toBeCloseTo(0.5, 12);
    expect(matchProbability(1, { logitScale: 10, logitBias: -5 })).toBeCloseTo(1 / (1 + Math.exp(-5)), 12);
    expect(matchProbability(1, { logitScale: 10, logitBias: null })).toBeNull();
  });
});
