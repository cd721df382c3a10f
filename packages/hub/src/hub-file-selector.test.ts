import { describe, expect, it } from 'vitest';
import { HubSelectionError } from './hub-errors.js';
import { selectModelFiles, shardsOfIndex } from './hub-file-selector.js';

const context = { repoId: 'org/name', revision: 'main', where: 'on https://huggingface.co' };
const select = (files: string[]) => selectModelFiles(files, context);

describe('selectModelFiles', () => {
  it('takes the configs and tokenizer files present and one weights format, never the rest', () => {
    const repo = [
      'README.md',
      '.gitattributes',
      'config.json',
      'vocab.json',
      'merges.txt',
      'tokenizer.json',
      'model.safetensors',
      'pytorch_model.bin',
      'tf_model.h5',
      'flax_model.msgpack',
    ];
    expect(select(repo)).toEqual(['config.json', 'vocab.json', 'merges.txt', 'tokenizer.json', 'model.safetensors']);
  });

  it('prefers model.safetensors, then its sharded index, then open_clip safetensors, open_clip .bin, pytorch_model.bin, its index', () => {
    const order = [
      'model.safetensors',
      'model.safetensors.index.json',
      'open_clip_model.safetensors',
      'open_clip_pytorch_model.bin',
      'pytorch_model.bin',
      'pytorch_model.bin.index.json',
    ];
    for (let i = 0; i < order.length; i++) expect(select(['open_clip_config.json', ...order.slice(i)]).at(-1)).toBe(order[i]);
  });

  it('throws a one-line HubSelectionError naming the repository and what it has when no weights format is there', () => {
    expect(() => select(['README.md', 'vision.onnx'])).toThrow(HubSelectionError);
    expect(() => select(['README.md', 'vision.onnx'])).toThrow(
      '"org/name@main" on https://huggingface.co has none of the weight files clipkit reads (model.safetensors, model.safetensors.index.json, open_clip_model.safetensors, open_clip_pytorch_model.bin, pytorch_model.bin, pytorch_model.bin.index.json); it has: README.md, vision.onnx',
    );
  });
});

describe('shardsOfIndex', () => {
  it('lists each shard of weight_map once, beside the index', () => {
    const index = JSON.stringify({ metadata: {}, weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors', c: 'm-1.safetensors' } });
    expect(shardsOfIndex('model.safetensors.index.json', index)).toEqual(['m-1.safetensors', 'm-2.safetensors']);
    expect(shardsOfIndex('text/model.safetensors.index.json', index)).toEqual(['text/m-1.safetensors', 'text/m-2.safetensors']);
  });

  it('refuses an index without a weight_map of names', () => {
    expect(() => shardsOfIndex('x.safetensors.index.json', '{"weight_map": {"a": 1}}')).toThrow(HubSelectionError);
  });
});
