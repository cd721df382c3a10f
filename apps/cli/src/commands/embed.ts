import type { Command } from 'commander';
import type { EmbedOptions } from '../actions/embed.js';
import { backendOption, batchSizeOption, modelOption } from './options.js';

/** `clipkit embed`: image and text embeddings (and their logits) of a model, to a safetensors file. */
export function registerEmbedCommand(program: Command): void {
  program
    .command('embed')
    .description('embed images and/or texts; writes image_embeds and text_embeds (unnormalised) and, given both, logits_per_image and logits_per_text')
    .addOption(modelOption())
    .option('--images <paths...>', 'image files, or folders searched recursively (rows in sorted path order)')
    .option('--texts <file>', 'a text file, one text per line')
    .option('--pixel-values <file>', 'a safetensors file with "pixel_values" [N, 3, H, W] F32, preprocessed elsewhere')
    .option(
      '--input-ids <file>',
      'a safetensors file with "input_ids" [N, L] I64 or I32, tokenized elsewhere; rows shorter than the context length are padded with the tokenizer\'s pad id',
    )
    .requiredOption('--out <file>', 'the safetensors file to write')
    .addOption(batchSizeOption())
    .addOption(backendOption())
    .action(async (options: EmbedOptions) => (await import('../actions/embed.js')).embed(options));
}
