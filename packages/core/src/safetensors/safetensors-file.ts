import { type FileHandle, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { SafetensorsError } from '../errors.js';
import { DTYPE_SIZES, type Dtype, type HostTensor, isDtype, viewAs } from './dtypes.js';

/** safetensors' own limit on the JSON header (100 MB); anything larger is not a safetensors file. */
const MAX_HEADER_BYTES = 100_000_000;

/** Where a tensor lives in the file. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Absolute byte offset in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

async function readExactly(file: FileHandle, length: number, position: number): Promise<ArrayBuffer> {
  const buffer = new ArrayBuffer(length);
  const bytes = new Uint8Array(buffer);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return buffer;
}

function parseEntries(path: string, header: Record<string, unknown>, dataStart: number, dataSize: number): Map<string, TensorEntry> {
  const entries: { entry: TensorEntry; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const fail = (message: string) => new SafetensorsError(path, message, name);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('header entry is not an object with dtype, shape and data_offsets');
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) throw fail(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPE_SIZES).join(', ')}`);
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) throw fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
      throw fail(`data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair of non-negative integers with begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    // BigInt: a hostile shape must not overflow into a plausible size.
    const expected = shape.reduce((n: bigint, d: number) => n * BigInt(d), 1n) * BigInt(DTYPE_SIZES[dtype]);
    if (expected !== BigInt(end - begin)) {
      throw fail(`shape ${JSON.stringify(shape)} x ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataSize) throw fail(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataSize} bytes)`);
    entries.push({ entry: { name, dtype, shape, offset: dataStart + begin, byteLength: end - begin }, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let furthest: (typeof entries)[number] | undefined; // the non-empty range reaching furthest so far
  for (const current of entries) {
    if (current.end === current.begin) continue;
    if (furthest && current.begin < furthest.end) {
      throw new SafetensorsError(
        path,
        `data_offsets [${current.begin}, ${current.end}] overlap those of "${furthest.entry.name}" [${furthest.begin}, ${furthest.end}]`,
        current.entry.name,
      );
    }
    if (!furthest || current.end > furthest.end) furthest = current;
  }
  return new Map(entries.map(({ entry }) => [entry.name, entry]));
}

/**
 * An open safetensors file. The header is read and validated in full on open (sizes, dtypes, ranges
 * inside the data section, no overlaps); tensors are then read one at a time, so loading a model never
 * holds the file twice in memory.
 */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    readonly metadata: Readonly<Record<string, string>>,
    readonly entries: ReadonlyMap<string, TensorEntry>,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    if (endianness() !== 'LE') throw new SafetensorsError(path, 'clipkit reads safetensors (little-endian) only on little-endian machines');
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      throw new SafetensorsError(path, `cannot open the file: ${(error as Error).message}`);
    }
    try {
      const { metadata, entries } = await SafetensorsFile.readHeader(path, file);
      return new SafetensorsFile(path, file, metadata, entries);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private static async readHeader(path: string, file: FileHandle) {
    const { size } = await file.stat();
    if (size < 8) throw new SafetensorsError(path, `the file has ${size} bytes; a safetensors file starts with an 8-byte header length`);
    const headerLength = new DataView(await readExactly(file, 8, 0)).getBigUint64(0, true);
    if (headerLength > BigInt(MAX_HEADER_BYTES))
      throw new SafetensorsError(path, `header length ${headerLength} exceeds safetensors' ${MAX_HEADER_BYTES}-byte limit; is this a safetensors file?`);
    const length = Number(headerLength);
    if (8 + length > size) throw new SafetensorsError(path, `header length ${length} runs past the end of the file (${size} bytes); the file is truncated or not safetensors`);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readExactly(file, length, 8)));
    } catch (error) {
      throw new SafetensorsError(path, `the header is not valid UTF-8 JSON: ${(error as Error).message}`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(path, 'the header is not a JSON object');
    const record = header as Record<string, unknown>;
    const metadata = record.__metadata__ ?? {};
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) {
      throw new SafetensorsError(path, '__metadata__ must be an object of string values');
    }
    const entries = parseEntries(path, record, 8 + length, size - 8 - length);
    return { metadata: metadata as Record<string, string>, entries };
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  entry(name: string): TensorEntry {
    const entry = this.entries.get(name);
    if (!entry)
      throw new SafetensorsError(
        this.path,
        `no such tensor; the file holds ${this.entries.size} tensors (${this.names.slice(0, 5).join(', ')}${this.entries.size > 5 ? ', ...' : ''})`,
        name,
      );
    return entry;
  }

  /** Reads one tensor into a fresh array (F16/BF16 as raw Uint16Array; see toFloat32). */
  async read(name: string): Promise<HostTensor> {
    const entry = this.entry(name);
    let buffer: ArrayBuffer;
    try {
      buffer = await readExactly(this.file, entry.byteLength, entry.offset);
    } catch (error) {
      throw new SafetensorsError(this.path, `cannot read the data: ${(error as Error).message}`, name);
    }
    return { dtype: entry.dtype, shape: [...entry.shape], data: viewAs(entry.dtype, buffer) };
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** Reads every tensor of a file (small files: fixtures, inputs; load models tensor by tensor with SafetensorsFile). */
export async function readSafetensors(path: string): Promise<Map<string, HostTensor>> {
  const file = await SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, HostTensor>();
    for (const name of file.names) tensors.set(name, await file.read(name));
    return tensors;
  } finally {
    await file.close();
  }
}
