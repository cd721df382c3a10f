import { type Command, Option } from 'commander';
import type { ExportOnnxOptions } from '../actions/export-onnx.js';
import { modelOption, positiveInteger } from './options.js';

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
    .addOption(
      new Option(
        '--quantize <type>',
        'store the Linear, projection and token-embedding weights as int8 (per output channel, activations quantised at run time): ' +
          'for ViT-B/32 a quarter of the file and over 2x faster on CPU; LayerNorm and biases stay float32, and so do convolutions (ResNet) ' +
          'unless --calibration-images is given',
      ).choices(['int8']),
    )
    .option(
      '--calibration-images <dir>',
      'with --quantize int8: also quantise the convolutions (ResNet trunk, static int8 with activation ranges measured on these images, ' +
        'preprocessed as the model does; RN50 ran about 2.5x faster than float32 on CPU); images similar to those the model will see',
    )
    .option('--calibration-count <n>', "how many of the --calibration-images to use: evenly spaced through the folder's images sorted by path (default 200)", positiveInteger)
    .addOption(
      new Option('--dtype <type>', 'store the float weights as float16 (half the file, same speed: computed in float32)').choices(['float32', 'float16']).default('float32'),
    )
    .action(async (options: ExportOnnxOptions) => (await import('../actions/export-onnx.js')).exportOnnx(options));
}
