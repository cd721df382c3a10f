import { type ClipConfig, type ClipDataset, ClipkitError, DATASET, assembleClip, loadClip, parseClipConfig, retrievalRecall, zeroShotAccuracy } from '@clipkit/core';
import { type Command, Option } from 'commander';
import { CLIP_PLUGINS } from '../inference/clip-plugins.js';
import { backendOption, backendOverride, batchSizeOption } from '../inference/options.js';
import { readFileSync } from 'node:fs';

interface EvalCommandOptions {
  model: string;
  data?: string;
  dataPath?: string;
  dataFile?: string;
  config?: string;
  backend?: string;
  batchSize: number;
  json?: boolean;
}

/** The `data` section to evaluate on: --config's, else --data with its folder and file, else the one the model was trained on. */
function dataSection(options: EvalCommandOptions, trained: ClipConfig): unknown {
  if (options.config) return (JSON.parse(readFileSync(options.config, 'utf8')) as { data?: unknown }).data;
  if (options.data) {
    return { type: options.data, ...(options.dataPath === undefined ? {} : { path: options.dataPath }), ...(options.dataFile === undefined ? {} : { file: options.dataFile }) };
  }
  return trained.data;
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a model: zero-shot top-1/top-5 on labelled data, retrieval R@1/5/10 on image-text data')
    .requiredOption('--model <dir>', 'model directory (clipkit checkpoint, open_clip or Hugging Face layout)')
    .addOption(new Option('--data <type>', 'data to evaluate on (default: what the model was trained on)').choices(['synthetic-shapes', 'fashion-mnist', 'image-text']))
    .option('--data-path <dir>', 'data folder (fashion-mnist, image-text)')
    .option('--data-file <file>', 'CSV/TSV or JSONL of image paths and captions (image-text)')
    .option('--config <file>', 'take the data section from this clipkit config')
    .addOption(backendOption())
    .addOption(batchSizeOption())
    .option('--json', 'print the results as JSON')
    .action(async (options: EvalCommandOptions) => {
      const loaded = await loadClip(options.model, CLIP_PLUGINS, { backend: backendOverride(options.backend) });
      let dataset: ClipDataset | undefined;
      const assembly = assembleClip(
        parseClipConfig({ ...structuredClone(loaded.config), data: dataSection(options, loaded.config) }, options.config ?? '--data options'),
        CLIP_PLUGINS,
      );
      try {
        dataset = assembly.resolve(DATASET);
        const zeroShotTask = dataset.zeroShot();
        const retrievalTask = dataset.retrieval();
        if (!zeroShotTask && !retrievalTask)
          throw new ClipkitError(`data.type "${assembly.config.data.type}" has no evaluation task here (image-text data needs data.evalFile or --data-file)`);
        const zeroShot = zeroShotTask ? await zeroShotAccuracy(loaded.model, loaded.tokenizer, zeroShotTask, options.batchSize) : null;
        const retrieval = retrievalTask ? await retrievalRecall(loaded.model, loaded.tokenizer, retrievalTask, options.batchSize) : null;
        if (options.json) {
          console.log(JSON.stringify({ model: options.model, data: assembly.config.data, zeroShot, retrieval }, null, 2));
          return;
        }
        if (zeroShot)
          console.log(`zero-shot (${zeroShot.count} images, ${zeroShotTask!.classNames.length} classes): top-1 ${percent(zeroShot.top1)}  top-5 ${percent(zeroShot.top5)}`);
        if (retrieval) {
          for (const [direction, r] of [
            ['image->text', retrieval.imageToText],
            ['text->image', retrieval.textToImage],
          ] as const) {
            console.log(`${direction} (${retrieval.count} pairs): R@1 ${percent(r.r1)}  R@5 ${percent(r.r5)}  R@10 ${percent(r.r10)}`);
          }
        }
        if (dataset.skipped > 0) console.log(`skipped ${dataset.skipped} unreadable images`);
      } finally {
        await assembly.dispose();
        await loaded.dispose();
      }
    });
}
