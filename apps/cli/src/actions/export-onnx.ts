import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ExportPrecision, exportOnnxModel, precisionName } from '@clipkit/backend-onnxruntime';
import { ClipkitError } from '@clipkit/core';
import { CALIBRATION_COUNT, calibrationImages } from '../inference/calibration-images.js';
import { resolveModel } from '../inference/open-model.js';
import { checkNotSource, checkOutFolder, writeFolderStaged } from '../output/write-folder-staged.js';

export interface ExportOnnxOptions {
  model: string;
  out: string;
  quantize?: 'int8';
  dtype: 'float32' | 'float16';
  /** A folder of images from which the convolutions' activation ranges are measured (static int8). */
  calibrationImages?: string;
  calibrationCount?: number;
  force?: boolean;
}

/**
 * `clipkit export-onnx`: the model's towers through their plug-ins' ONNX graphs, into a folder that runs on
 * onnxruntime; written in a staging folder renamed into place, never over a non-empty folder unless forced,
 * never over the model being read (compared by real path, so a symbolic link to it is refused too).
 */
export async function exportOnnx(options: ExportOnnxOptions): Promise<void> {
  const out = resolve(options.out);
  checkOutFolder(out, options.force ?? false);
  if (options.calibrationImages !== undefined && options.quantize !== 'int8') {
    throw new ClipkitError(`--calibration-images ${options.calibrationImages}: calibration is for int8 convolutions; add --quantize int8`);
  }
  const { path, plugins, sources } = await resolveModel(options.model);
  checkNotSource(out, existsSync(path) && statSync(path).isFile() ? dirname(path) : path);
  const precision: ExportPrecision = { quantize: options.quantize, dtype: options.dtype };
  if (options.calibrationImages !== undefined) {
    const { batches, images } = await calibrationImages(path, options.calibrationImages, options.calibrationCount ?? CALIBRATION_COUNT);
    console.log(`calibrating the convolutions on ${images} images of ${options.calibrationImages}`);
    precision.calibration = batches;
  }
  let count = 0;
  await writeFolderStaged(out, async (staging) => {
    // The log names the files where they end up, not in the staging folder.
    const log = (line: string) => console.log(line.split(staging).join(out));
    count = (await exportOnnxModel(path, staging, plugins, { sources, precision, log })).length;
  });
  console.log(`exported ${options.model} to ${out} (${count} files, ONNX opset 17, ${precisionName(precision)} weights)`);
}
