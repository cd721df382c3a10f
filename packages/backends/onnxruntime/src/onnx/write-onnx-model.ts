import type { FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from '@clipkit/core';
import { encodeOnnxModel } from './encode-onnx-model.js';
import type { OnnxModel } from './onnx-model.js';

/** Small chunks (names, attributes, varints) are gathered into writes of about this size. */
const WRITE_SIZE = 1 << 20;

/** FileHandle.write may write less than asked (it reports how much): loop until all of `bytes` is written. */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) done += (await file.write(bytes, done, bytes.byteLength - done)).bytesWritten;
}

/**
 * Writes `model` as an .onnx file, atomically (a temporary file renamed over `path`). Large initializers
 * go to the file straight from their arrays, so exporting needs no second copy of the weights.
 */
export async function writeOnnxModel(path: string, model: OnnxModel): Promise<void> {
  const chunks = encodeOnnxModel(model);
  await writeFileAtomic(path, async (file) => {
    const pending = new Uint8Array(WRITE_SIZE);
    let used = 0;
    const flush = async () => {
      if (used > 0) await writeAll(file, pending.subarray(0, used));
      used = 0;
    };
    for (const chunk of chunks) {
      if (chunk.byteLength > WRITE_SIZE - used) {
        await flush();
        if (chunk.byteLength >= WRITE_SIZE) {
          await writeAll(file, chunk);
          continue;
        }
      }
      pending.set(chunk, used);
      used += chunk.byteLength;
    }
    await flush();
  });
}
