import { assembleClip, type ClipConfig, ClipkitError, DATASET, parseClipConfig, readJsonConfig, retrievalRecall, zeroShotAccuracy } from '@clipkit/core';
import { openModel } from '../inference/open-model.js';
import { configFilePlugins } from '../plugins/pipeline-plugins.js';

export interface EvalCommandOptions {
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
  if (options.config) return readJsonConfig(options.config, (json) => (json as { data?: unknown }).data);
  if (options.data) {
    return { type: options.data, ...(options.dataPath === undefined ? {} : { path: options.dataPath }), ...(options.dataFile === undefined ? {} : { file: options.dataFile }) };
  }
  return trained.data;
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

/** `clipkit eval`: the model's zero-shot accuracy and/or retrieval recall on the chosen data. */
export async function evaluate(options: EvalCommandOptions): Promise<void> {
  const loaded = await openModel(options.model, { backend: options.backend, fastRuntime: true });
  try {
    // A --config may name plug-in packages of its own (a dataset): its data section is read with them too.
    const plugins = [...new Set([...loaded.plugins, ...(options.config ? await configFilePlugins(options.config) : [])])];
    const config = parseClipConfig({ ...structuredClone(loaded.config), data: dataSection(options, loaded.config) }, plugins, options.config ?? '--data options');
    const assembly = assembleClip(config, plugins);
    try {
      const dataset = assembly.resolve(DATASET);
      const zeroShotTask = dataset.zeroShot();
      const retrievalTask = dataset.retrieval();
      if (!zeroShotTask && !retrievalTask)
        throw new ClipkitError(`data.type "${config.data.type}" has no evaluation task here (image-text data needs data.evalFile or --data-file)`);
      const zeroShot = zeroShotTask ? await zeroShotAccuracy(loaded.model, loaded.tokenizer, zeroShotTask, options.batchSize) : null;
      const retrieval = retrievalTask ? await retrievalRecall(loaded.model, loaded.tokenizer, retrievalTask, options.batchSize) : null;
      if (options.json) {
        console.log(JSON.stringify({ model: options.model, data: config.data, zeroShot, retrieval }, null, 2));
        return;
      }
      if (zeroShot && zeroShotTask) {
        console.log(`zero-shot (${zeroShot.count} images, ${zeroShotTask.classNames.length} classes): top-1 ${percent(zeroShot.top1)}  top-5 ${percent(zeroShot.top5)}`);
      }
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
    }
  } finally {
    await loaded.dispose();
  }
}
