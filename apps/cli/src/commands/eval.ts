import { type Command, Option } from 'commander';
import type { EvalCommandOptions } from '../actions/eval.js';
import { backendOption, batchSizeOption, collect, modelOption, templatesOption } from './options.js';

/** `clipkit eval`: zero-shot accuracy or retrieval recall of a model. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a model: zero-shot top-1/top-5 and per-class accuracy on labelled data, retrieval R@1/5/10 on image-text data')
    .addOption(modelOption())
    .option('--images <dir>', 'a folder of labelled images, DIR/<class>/<image> (class names from DIR/classnames.txt or the folder names)')
    .addOption(templatesOption())
    .option('--template <prompt>', 'a prompt with {} for the class name, for --images (repeatable)', collect, [])
    .option('--confusion <file>', 'write the zero-shot confusion matrix as an SVG plot (default with --images: confusion-matrix.svg)')
    .addOption(new Option('--data <type>', 'data to evaluate on (default: what the model was trained on)').choices(['synthetic-shapes', 'fashion-mnist', 'image-text']))
    .option('--data-path <dir>', 'data folder (fashion-mnist, image-text)')
    .option('--data-file <file>', 'CSV/TSV or JSONL of image paths and captions (image-text)')
    .option('--config <file>', 'take the data section from this clipkit config')
    .addOption(backendOption())
    .addOption(batchSizeOption())
    .option('--json', 'print the results as JSON')
    .action(async (options: EvalCommandOptions) => (await import('../actions/eval.js')).evaluate(options));
}
