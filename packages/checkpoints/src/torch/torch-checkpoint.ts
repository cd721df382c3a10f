import { open } from 'node:fs/promises';
import type { TensorSource } from '@clipkit/core';
import { ARRAY_TYPES, DTYPE_SIZES, type Dtype, type HostTensor } from '@clipkit/core';
import { CheckpointError } from '../checkpoint-error.js';
import { describePy, PyDict, type PyValue } from '../pickle/py-values.js';
import { unpickle } from '../pickle/unpickle.js';
import { ZipArchive } from '../zip/zip-archive.js';
import { collectTensors, selectPath } from './collect-tensors.js';
import { copyStrided, swapBytes } from './copy-strided.js';
import { ScriptObject } from './script-object.js';
import type { TensorRef } from './tensor-ref.js';
import { torchPickleHooks } from './torch-pickle-hooks.js';

export interface TorchCheckpointOptions {
  /**
   * Dotted path of the object whose tensors are exposed (`state_dict`, `model`, `model.ema`; "" for everything
   * in the pickle). Default: `state_dict` when the top level is a dict holding one (training checkpoints such
   * as open_clip's `{epoch, name, state_dict, optimizer}`), else the whole pickle.
   */
  root?: string;
  /** Drop the `module.` that DistributedDataParallel puts before every name, when every name has it. Default true. */
  stripModulePrefix?: boolean;
}

/** A torch.save zip or a TorchScript archive, read as named tensors. */
export interface TorchCheckpoint extends TensorSource {
  /** `torch.save` for pickled objects (state dicts, training checkpoints), `torchscript` for `torch.jit.save` archives. */
  readonly format: 'torch.save' | 'torchscript';
}

/** data.pkl of ViT-B/32's TorchScript archive has ~100 kB; training checkpoints with optimizer state a few MB. */
const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
/** Materialised views may exceed the file (stride 0 repeats elements), but not without bound. */
const MIN_TENSOR_BYTES_LIMIT = 64 * 1024 * 1024;
/** The first bytes of a torch < 1.6 file: a protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const PICKLE_RECORD = /^[^/]+\/data\.pkl$/;

/** True when the file starts like a torch < 1.6 (pre-zip) torch.save file. */
async function isLegacyTorchFile(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(LEGACY_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.every((b, i) => b === LEGACY_MAGIC[i]);
  } finally {
    await file.close();
  }
}

async function openArchive(path: string): Promise<ZipArchive> {
  try {
    return await ZipArchive.open(path);
  } catch (error) {
    if (error instanceof CheckpointError && error.message.includes('not a valid zip archive') && (await isLegacyTorchFile(path))) {
      throw new CheckpointError(
        path,
        'this is a legacy (torch < 1.6, not zip) torch.save file, which clipkit does not read: re-save it with a recent PyTorch, or save its state_dict as safetensors',
      );
    }
    throw error;
  }
}

/** The pickle record `<folder>/data.pkl`; the folder is the file name torch saved to, or `archive`. */
function findPickle(path: string, archive: ZipArchive): string {
  const pickles = [...archive.entries.keys()].filter((name) => PICKLE_RECORD.test(name));
  if (pickles.length === 1) return pickles[0];
  if (pickles.length === 0) throw new CheckpointError(path, 'a zip without <folder>/data.pkl: not a torch.save or TorchScript file');
  throw new CheckpointError(path, `several pickles (${pickles.join(', ')}): not a torch.save or TorchScript file`);
}

/** `byteorder` (torch >= 2.0): "little" or "big"; files without it are little-endian. */
async function readByteOrder(path: string, archive: ZipArchive, folder: string): Promise<'little' | 'big'> {
  const entry = archive.entries.get(`${folder}/byteorder`);
  if (!entry) return 'little';
  const text = new TextDecoder().decode(await archive.readEntry(entry, 16));
  if (text !== 'little' && text !== 'big') throw new CheckpointError(path, `${entry.name} says ${JSON.stringify(text)}; expected "little" or "big"`);
  return text;
}

function defaultRoot(top: PyValue): string {
  return top instanceof PyDict && (top.items.get('state_dict') instanceof PyDict || top.items.get('state_dict') instanceof ScriptObject) ? 'state_dict' : '';
}

/**
 * Opens a torch.save zip (`pytorch_model.bin`, `open_clip_pytorch_model.bin`, `epoch_N.pt`) or a TorchScript
 * archive (OpenAI's `ViT-B-32.pt`) and lists its tensors by state_dict name; tensors are read one at a time.
 * The pickle is run by clipkit's own restricted unpickler: only tensors, storages, OrderedDict and (in
 * TorchScript archives) inert module records can be built, every storage record must have exactly the size
 * its persistent id claims, and every tensor must lie inside its storage. Anything else is a CheckpointError
 * (UnsafePickleError for a global outside the allow-list); no code from the file ever runs.
 */
export async function openTorchCheckpoint(path: string, options: TorchCheckpointOptions = {}): Promise<TorchCheckpoint> {
  const archive = await openArchive(path);
  try {
    const record = findPickle(path, archive);
    const folder = record.slice(0, -'/data.pkl'.length);
    const torchScript = archive.entries.has(`${folder}/constants.pkl`) || [...archive.entries.keys()].some((name) => name.startsWith(`${folder}/code/`));
    const byteOrder = await readByteOrder(path, archive, folder);
    const pickle = await archive.readEntry(archive.entries.get(record)!, MAX_PICKLE_BYTES);
    const hooks = torchPickleHooks({
      file: path,
      record,
      folder,
      entries: archive.entries,
      torchScript,
      maxTensorBytes: Math.max(archive.size, MIN_TENSOR_BYTES_LIMIT),
    });
    const top = unpickle(pickle, { file: path, record, hooks });
    const root = options.root ?? defaultRoot(top);
    const selected = root === '' ? top : selectPath(path, top, root);
    let tensors = collectTensors(path, selected, 2 * pickle.length + 16);
    if (tensors.size === 0) throw new CheckpointError(path, `no tensors in ${root === '' ? 'the checkpoint' : `"${root}"`}, which is ${describePy(selected)}`);
    if ((options.stripModulePrefix ?? true) && [...tensors.keys()].every((name) => name.startsWith('module.'))) {
      tensors = new Map([...tensors].map(([name, tensor]) => [name.slice('module.'.length), tensor]));
    }
    // Local headers of the records in use are read now, so that a broken one fails the open, not a later read.
    for (const tensor of tensors.values()) await archive.dataOffset(tensor.storage.entry);
    return new TorchCheckpointFile(path, archive, tensors, torchScript ? 'torchscript' : 'torch.save', byteOrder);
  } catch (error) {
    await archive.close();
    throw error;
  }
}

class TorchCheckpointFile implements TorchCheckpoint {
  readonly entries: ReadonlyMap<string, { dtype: Dtype; shape: readonly number[] }>;

  constructor(
    readonly path: string,
    private readonly archive: ZipArchive,
    private readonly tensors: ReadonlyMap<string, TensorRef>,
    readonly format: 'torch.save' | 'torchscript',
    private readonly byteOrder: 'little' | 'big',
  ) {
    this.entries = new Map([...tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape }]));
  }

  async read(name: string): Promise<HostTensor> {
    const tensor = this.tensors.get(name);
    if (!tensor) {
      const names = [...this.tensors.keys()];
      throw new CheckpointError(this.path, `no tensor "${name}"; the checkpoint holds ${names.length} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`);
    }
    const { dtype, shape, stride, numel } = tensor;
    const elementSize = DTYPE_SIZES[dtype];
    let bytes: Uint8Array = new Uint8Array(0);
    if (numel > 0) {
      const start = (await this.archive.dataOffset(tensor.storage.entry)) + tensor.offset * elementSize;
      bytes = tensor.contiguous
        ? await this.archive.readRange(start, numel * elementSize)
        : copyStrided(await this.archive.readRange(start, tensor.span * elementSize), elementSize, shape, stride);
    }
    if (this.byteOrder === 'big') swapBytes(bytes, elementSize);
    return { dtype, shape: [...shape], data: new ARRAY_TYPES[dtype](bytes.buffer as ArrayBuffer) };
  }

  async close(): Promise<void> {
    await this.archive.close();
  }
}
