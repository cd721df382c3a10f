import { type Command, Option } from 'commander';
import type { ConvertOptions } from '../actions/convert.js';
import { modelOption } from './options.js';

/** `clipkit convert`: any model clipkit reads, as a model folder in the chosen layout and precision. */
export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description(
      'write a model as a model folder: clipkit (clipkit.json), hf (config.json, transformers names: CLIPModel.from_pretrained) or ' +
        'open_clip (open_clip_config.json: open_clip hf-hub: / local-dir:), weights in model.safetensors',
    )
    .addOption(modelOption())
    .requiredOption('--out <dir>', 'the folder to write: new or empty (see --force); written in a staging folder beside it, then renamed into place')
    .addOption(new Option('--layout <layout>', 'the layout to write').choices(['clipkit', 'hf', 'open_clip']).default('clipkit'))
    .addOption(new Option('--dtype <dtype>', 'how the weights are stored: float16 halves the file (read back as float32)').choices(['float32', 'float16']).default('float32'))
    .option('--force', 'replace the contents of a non-empty --out (never the model being converted)')
    .action(async (options: ConvertOptions) => (await import('../actions/convert.js')).convert(options));
}
