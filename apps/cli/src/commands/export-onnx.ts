import type { Command } from 'commander';
import type { ExportOnnxOptions } from '../actions/export-onnx.js';
import { modelOption } from './options.js';

/** `clipkit export-onnx`: both towers to ONNX (written in TypeScript, no Python) plus what is needed to run them. */
export function registerExportOnnxCommand(program: Command): void {
  program
    .command('export-onnx')
    .description(
      'export a model to ONNX for onnxruntime: writes vision.onnx (pixel_values -> image_embeds), text.onnx (input_ids -> text_embeds), ' +
        'model.safetensors (logit scale), vocab.json + merges.txt, preprocessor_config.json and clipkit.json (backend onnxruntime); ' +
        'the folder then works as --model for embed, zero-shot and eval',
    )
    .addOption(modelOption())
    .requiredOption('--out <dir>', 'the folder to write: new or empty (see --force); written in a staging folder beside it, then renamed into place')
    .option('--force', 'replace the contents of a non-empty --out (never the model being exported)')
    .action(async (options: ExportOnnxOptions) => (await import('../actions/export-onnx.js')).exportOnnx(options));
}
