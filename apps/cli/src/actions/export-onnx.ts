import { exportOnnxModel } from '@clipkit/backend-onnxruntime';
import { modelDirectoryPlugins } from '../plugins/pipeline-plugins.js';

export interface ExportOnnxOptions {
  model: string;
  out: string;
}

/** `clipkit export-onnx`: the model's towers through their plug-ins' ONNX graphs, into a folder that runs on onnxruntime. */
export async function exportOnnx(options: ExportOnnxOptions): Promise<void> {
  const plugins = await modelDirectoryPlugins(options.model);
  const files = await exportOnnxModel(options.model, options.out, plugins, { log: (line) => console.log(line) });
  console.log(`exported ${options.model} to ${options.out} (${files.length} files, ONNX opset 17)`);
}
