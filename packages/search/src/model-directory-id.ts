import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModelDirectory } from '@clipkit/core';

/** Files besides the config and the weights that change what a model computes for an image or a text. */
const MODEL_FILES = /^(preprocessor_config\.json|tokenizer\.json|vocab\.json|merges\.txt|spiece\.model|.*\.onnx)$/;

/**
 * A model directory's identity for an index: sha256 over the names, sizes and bytes of its config file, its
 * weights and the preprocessing, tokenizer and ONNX files beside them, in name order. Any change to those
 * (retrained weights, another preprocessing) gives another id, so an index refuses the changed model;
 * moving or renaming the directory keeps the id.
 */
export async function modelDirectoryId(directory: Pick<ModelDirectory, 'dir' | 'configFile' | 'weightsFile'>): Promise<string> {
  const files = new Set([directory.configFile, directory.weightsFile].filter((file) => existsSync(file)));
  for (const name of readdirSync(directory.dir)) if (MODEL_FILES.test(name)) files.add(join(directory.dir, name));
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => basename(a).localeCompare(basename(b)))) {
    hash.update(`${basename(file)}\0${statSync(file).size}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
