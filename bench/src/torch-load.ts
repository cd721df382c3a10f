import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTorchCheckpoint, type TensorSource } from '@clipkit/checkpoints';
import { PickleWriter, type StorageSpec, torchFileChunks, writeTensor } from '@clipkit/checkpoints/testing';
import { type Dtype, type HostTensor, SafetensorsFile, SeededRandom, toFloat32, writeSafetensors } from '@clipkit/core';
import type { Benchmark } from './benchmarks.js';

interface Options {
  repeats: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { repeats: 3 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], Number(args[i + 1])];
    if (flag === '--repeats' && Number.isInteger(value) && value > 0) options.repeats = value;
    else throw new Error(`torch-load: unknown argument "${args[i]} ${args[i + 1]}"; use --repeats N`);
  }
  return options;
}

interface Weight {
  name: string;
  dtype: Dtype;
  shape: number[];
}

/**
 * OpenAI ViT-B/32's state_dict in the archive's order, with the dtypes of clip.model.convert_weights: Conv,
 * Linear and attention weights, text_projection and visual.proj in float16; embeddings, LayerNorms and
 * logit_scale in float32; the three int64 buffers of OpenAI's archives.
 */
function vitB32(): Weight[] {
  const w = (name: string, dtype: Dtype, ...shape: number[]): Weight => ({ name, dtype, shape });
  const blocks = (prefix: string, width: number) =>
    Array.from({ length: 12 }, (_, i) => {
      const p = `${prefix}transformer.resblocks.${i}.`;
      return [
        w(`${p}attn.in_proj_weight`, 'F16', 3 * width, width),
        w(`${p}attn.in_proj_bias`, 'F16', 3 * width),
        w(`${p}attn.out_proj.weight`, 'F16', width, width),
        w(`${p}attn.out_proj.bias`, 'F16', width),
        w(`${p}ln_1.weight`, 'F32', width),
        w(`${p}ln_1.bias`, 'F32', width),
        w(`${p}mlp.c_fc.weight`, 'F16', 4 * width, width),
        w(`${p}mlp.c_fc.bias`, 'F16', 4 * width),
        w(`${p}mlp.c_proj.weight`, 'F16', width, 4 * width),
        w(`${p}mlp.c_proj.bias`, 'F16', width),
        w(`${p}ln_2.weight`, 'F32', width),
        w(`${p}ln_2.bias`, 'F32', width),
      ];
    }).flat();
  return [
    w('positional_embedding', 'F32', 77, 512),
    w('text_projection', 'F16', 512, 512),
    w('logit_scale', 'F32'),
    w('input_resolution', 'I64'),
    w('context_length', 'I64'),
    w('vocab_size', 'I64'),
    w('visual.class_embedding', 'F32', 768),
    w('visual.positional_embedding', 'F32', 50, 768),
    w('visual.proj', 'F16', 768, 512),
    w('visual.conv1.weight', 'F16', 768, 3, 32, 32),
    w('visual.ln_pre.weight', 'F32', 768),
    w('visual.ln_pre.bias', 'F32', 768),
    ...blocks('visual.', 768),
    w('visual.ln_post.weight', 'F32', 768),
    w('visual.ln_post.bias', 'F32', 768),
    ...blocks('', 512),
    w('token_embedding.weight', 'F32', 49408, 512),
    w('ln_final.weight', 'F32', 512),
    w('ln_final.bias', 'F32', 512),
  ];
}

const STORAGE_TYPES: Partial<Record<Dtype, string>> = { F32: 'FloatStorage', F16: 'HalfStorage', I64: 'LongStorage' };
const ELEMENT_BYTES: Partial<Record<Dtype, number>> = { F32: 4, F16: 2, I64: 8 };

/** float32 -> IEEE half bits (round to nearest even; the small normal values used here never overflow). */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  const mantissa = bits & 0x7fffff;
  let half = sign | (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return half;
}

/** OpenAI's ViT-B/32 archive holds these values in its int64 buffers. */
const BUFFERS: Record<string, bigint> = { input_resolution: 224n, context_length: 77n, vocab_size: 49408n };

/** Deterministic weights: a block of N(0, 0.02) values tiled over every tensor from a shifting start (151M normals would dominate the run). */
function weightData(weights: readonly Weight[]): HostTensor[] {
  const block = new SeededRandom(32).normalArray(1 << 20, 0.02);
  const halfBlock = Uint16Array.from(block, toHalf);
  return weights.map((w, index) => {
    if (w.dtype === 'I64') return { ...w, data: BigInt64Array.from([BUFFERS[w.name]]) };
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = w.dtype === 'F16' ? new Uint16Array(n) : new Float32Array(n);
    const source = w.dtype === 'F16' ? halfBlock : block;
    for (let i = 0, from = (index * 7919) % source.length; i < n; from = 0) {
      const length = Math.min(source.length - from, n - i);
      data.set(source.subarray(from, from + length), i);
      i += length;
    }
    return { ...w, data };
  });
}

interface ModuleNode {
  tensors: Map<string, number>;
  children: Map<string, ModuleNode>;
}

/** The module tree a TorchScript data.pkl holds: every dotted prefix is a module object. */
function moduleTree(weights: readonly Weight[]): ModuleNode {
  const root: ModuleNode = { tensors: new Map(), children: new Map() };
  weights.forEach((w, index) => {
    const path = w.name.split('.');
    let node = root;
    for (const part of path.slice(0, -1)) {
      if (!node.children.has(part)) node.children.set(part, { tensors: new Map(), children: new Map() });
      node = node.children.get(part)!;
    }
    node.tensors.set(path[path.length - 1], index);
  });
  return root;
}

/** `__torch__` module objects (EMPTY_TUPLE, NEWOBJ, attribute dict, BUILD) holding `_rebuild_tensor_v2` tensors, as torch.jit.save writes them. */
function writeModule(pickle: PickleWriter, node: ModuleNode, className: string, weights: readonly Weight[]): void {
  pickle.global('__torch__.clip.model', className).emptyTuple().newobj().emptyDict().mark();
  for (const [name, index] of node.tensors) {
    const { dtype, shape } = weights[index];
    const storage: StorageSpec = { type: STORAGE_TYPES[dtype]!, key: String(index), numel: shape.reduce((a, b) => a * b, 1) };
    writeTensor(pickle.str(name), { storage, shape });
  }
  for (const [name, child] of node.children) writeModule(pickle.str(name), child, /^\d+$/.test(name) ? 'ResidualAttentionBlock' : `Module_${name}`, weights);
  pickle.str('training').bool(false).setitems().build();
}

async function writeChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const chunk of chunks) await file.write(chunk);
  } finally {
    await file.close();
  }
}

/** Seconds to read every tensor, one at a time as a model loader does, raw or widened to float32 (core's toFloat32). */
async function readAll(openSource: () => Promise<TensorSource>, expectedValues: number, widen: boolean): Promise<number> {
  const start = performance.now();
  const source = await openSource();
  let values = 0;
  for (const name of source.entries.keys()) {
    const tensor = await source.read(name);
    values += widen ? toFloat32(tensor).length : tensor.data.length;
  }
  await source.close();
  if (values !== expectedValues) throw new Error(`read ${values} values, expected ${expectedValues}`);
  return (performance.now() - start) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const MB = 1024 * 1024;

export const torchLoad: Benchmark = {
  name: 'torch-load',
  description: 'reading a ViT-B/32 TorchScript-style archive (OpenAI float16 mix) vs the same weights as safetensors, every tensor to float32',
  async run(args) {
    const options = parseArgs(args);
    const dir = mkdtempSync(join(tmpdir(), 'clipkit-torch-load-'));
    try {
      const weights = vitB32();
      const tensors = weightData(weights);
      const pickle = new PickleWriter().proto();
      writeModule(pickle, moduleTree(weights), 'CLIP', weights);
      const code = { name: 'code/__torch__/clip/model.py', data: new TextEncoder().encode('class CLIP(Module):\n  pass\n'.repeat(200)), deflate: true };
      const constants = { name: 'constants.pkl', data: new PickleWriter().proto().emptyTuple().stop().toBytes() };
      const archive = join(dir, 'ViT-B-32.pt');
      const storages = new Map(tensors.map((t, i) => [String(i), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));
      await writeChunks(archive, torchFileChunks({ folder: 'ViT-B-32', pickle: pickle.stop().toBytes(), storages, extra: [code, constants] }));
      const safetensors = join(dir, 'model.safetensors');
      await writeSafetensors(safetensors, Object.fromEntries(tensors.map((t, i) => [weights[i].name, t])));
      const numel = (w: Weight) => w.shape.reduce((a, b) => a * b, 1);
      const values = weights.reduce((n, w) => n + numel(w), 0);
      const bytes = weights.reduce((n, w) => n + numel(w) * ELEMENT_BYTES[w.dtype]!, 0);
      console.log(
        `ViT-B/32, ${weights.length} tensors, ${values.toLocaleString('en-US')} values (${weights.filter((w) => w.dtype === 'F16').length} float16), ${(bytes / MB).toFixed(1)} MiB of tensor data: ` +
          `archive ${(statSync(archive).size / MB).toFixed(1)} MiB (data.pkl ${(pickle.toBytes().length / 1024).toFixed(1)} kB), safetensors ${(statSync(safetensors).size / MB).toFixed(1)} MiB`,
      );

      const readers = {
        torchscript: () => openTorchCheckpoint(archive),
        safetensors: () => SafetensorsFile.open(safetensors),
      };
      // One untimed pass each so that both files are in the page cache; then alternate readers.
      for (const read of Object.values(readers)) await readAll(read, values, false);
      for (const widen of [false, true]) {
        const seconds: Record<string, number[]> = { torchscript: [], safetensors: [] };
        for (let r = 0; r < options.repeats; r++) for (const [name, read] of Object.entries(readers)) seconds[name].push(await readAll(read, values, widen));
        console.log(widen ? 'every tensor read and widened to float32 (toFloat32):' : 'every tensor read (raw dtype, fresh buffers):');
        for (const [name, times] of Object.entries(seconds)) {
          console.log(`  ${name.padEnd(12)} median ${median(times).toFixed(3)} s, min ${Math.min(...times).toFixed(3)} s (${options.repeats} runs, warm page cache)`);
        }
        const ratio = (pick: (times: number[]) => number) => (pick(seconds.torchscript) / pick(seconds.safetensors)).toFixed(2);
        console.log(`  torchscript / safetensors: ${ratio(median)}x of medians, ${ratio((t) => Math.min(...t))}x of minima (issue target: under 2x)`);
      }
      const openStart = performance.now();
      await (await openTorchCheckpoint(archive)).close();
      console.log(`open of the archive alone (zip directory, data.pkl, allow-list and bounds checks): ${(performance.now() - openStart).toFixed(1)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
