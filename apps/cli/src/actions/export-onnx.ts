import { exportOnnxModel, precisionName } from '@clipkit/backend-onnxruntime';
import { resolveModel } from '../inference/open-model.js';

export interface ExportOnnxOptions {
  model: string;
  out: string;
  quantize?: 'int8';
  dtype: 'float32' | 'float16';
}

/** `clipkit export-onnx`: the model's towers through their plug-ins' ONNX graphs, into a folder that runs on onnxruntime. */
export async function exportOnnx(options: ExportOnnxOptions): Promise<void> {
  const { path, plugins, sources } = await resolveModel(options.model);
  const precision = { quantize: options.quantize, dtype: options.dtype };
  const files = await exportOnnxModel(path, options.out, plugins, { sources, precision, log: (line) => console.log(line) });
  console.log(`exported ${options.model} to ${options.out} (${files.length} files, ONNX opset 17, ${precisionName(precision)} weights)`);
}
