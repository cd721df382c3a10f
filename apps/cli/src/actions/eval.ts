import { resolve } from 'node:path';
import {
  accuracyOf,
  assembleClip,
  type ClipConfig,
  ClipkitError,
  DATASET,
  parseClipConfig,
  readJsonConfig,
  retrievalRecall,
  writeContentAtomic,
  zeroShotPredictions,
} from '@clipkit/core';
import { type ClassReport, classReport } from '../evaluation/class-report.js';
import { confusionMatrixSvg } from '../evaluation/confusion-matrix-svg.js';
import { modelPreprocess } from '../inference/image-preprocessor.js';
import { openModel } from '../inference/open-model.js';
import { givenTemplates, modelTemplates } from '../inference/prompt-templates.js';
import { configFilePlugins } from '../plugins/pipeline-plugins.js';

export interface EvalCommandOptions {
  model: string;
  data?: string;
  dataPath?: string;
  dataFile?: string;
  config?: string;
  images?: string;
  template: string[];
  templates?: string;
  confusion?: string;
  backend?: string;
  batchSize: number;
  json?: boolean;
}

/** Where --images writes its confusion matrix unless --confusion says otherwise. */
const DEFAULT_CONFUSION_FILE = 'confusion-matrix.svg';

/**
 * The `data` section to evaluate on: --images (a DIR/<class>/<image> folder, prompted with --templates, else the
 * model's own prompts, else SigLIP's for a model with a logit bias, else OpenAI's), else --config's, else --data with its folder and file, else the one the
 * model was trained on.
 */
function dataSection(options: EvalCommandOptions, trained: ClipConfig, modelTemplates: readonly string[] | undefined): unknown {
  if (options.images) {
    const folder = resolve(options.images);
    return { type: 'image-folder', path: folder, evalPath: folder, templates: givenTemplates(options) ?? modelTemplates ?? null };
  }
  if (options.config) return readJsonConfig(options.config, (json) => (json as { data?: unknown }).data);
  if (options.data) {
    return { type: options.data, ...(options.dataPath === undefined ? {} : { path: options.dataPath }), ...(options.dataFile === undefined ? {} : { file: options.dataFile }) };
  }
  return trained.data;
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

/** class | images | top-1, one line per class. */
function formatClasses(report: ClassReport): string {
  const width = Math.max(5, ...report.classNames.map((n) => n.length));
  const lines = [`${'class'.padEnd(width)}  images   top-1`];
  report.classNames.forEach((name, c) => {
    const accuracy = report.counts[c] === 0 ? '-' : percent(report.accuracy[c]);
    lines.push(`${name.padEnd(width)}  ${String(report.counts[c]).padStart(6)}  ${accuracy.padStart(6)}`);
  });
  return lines.join('\n');
}

/**
 * `clipkit eval`: the model's zero-shot accuracy (top-1, top-5, per class, and with --images or --confusion a
 * confusion-matrix plot) and/or retrieval recall on the chosen data, its images through the model's own transform.
 */
export async function evaluate(options: EvalCommandOptions): Promise<void> {
  const loaded = await openModel(options.model, { backend: options.backend, fastRuntime: true });
  try {
    // A --config may name plug-in packages of its own (a dataset): its data section is read with them too.
    const plugins = [...new Set([...loaded.plugins, ...(options.config ? await configFilePlugins(options.config) : [])])];
    const document = { ...structuredClone(loaded.config), data: dataSection(options, loaded.config, modelTemplates(loaded)), preprocess: await modelPreprocess(loaded) };
    const config = parseClipConfig(document, plugins, options.config ?? (options.images ? '--images' : '--data options'), { training: false });
    const assembly = assembleClip(config, plugins);
    try {
      const dataset = assembly.resolve(DATASET);
      const zeroShotTask = dataset.zeroShot();
      const retrievalTask = dataset.retrieval();
      if (!zeroShotTask && !retrievalTask)
        throw new ClipkitError(`data.type "${config.data.type}" has no evaluation task here (image-text data needs data.evalFile or --data-file)`);
      const predictions = zeroShotTask ? await zeroShotPredictions(loaded.model, loaded.tokenizer, zeroShotTask, options.batchSize) : null;
      const zeroShot = predictions ? accuracyOf(predictions) : null;
      const classes = predictions && zeroShotTask ? classReport(predictions, zeroShotTask.classNames) : null;
      const retrieval = retrievalTask ? await retrievalRecall(loaded.model, loaded.tokenizer, retrievalTask, options.batchSize) : null;
      const confusionFile = options.confusion ?? (options.images ? DEFAULT_CONFUSION_FILE : undefined);
      if (classes && confusionFile) await writeContentAtomic(confusionFile, confusionMatrixSvg(classes, `zero-shot confusion matrix: ${options.model}`));
      if (options.json) {
        const perClass = classes?.classNames.map((name, c) => ({ class: name, images: classes.counts[c], top1: classes.accuracy[c] })) ?? null;
        console.log(JSON.stringify({ model: options.model, data: config.data, zeroShot, perClass, confusion: classes?.confusion ?? null, retrieval }, null, 2));
        return;
      }
      if (zeroShot && zeroShotTask && classes) {
        console.log(`zero-shot (${zeroShot.count} images, ${zeroShotTask.classNames.length} classes): top-1 ${percent(zeroShot.top1)}  top-5 ${percent(zeroShot.top5)}`);
        console.log(formatClasses(classes));
        if (confusionFile) console.log(`confusion matrix: ${confusionFile}`);
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
