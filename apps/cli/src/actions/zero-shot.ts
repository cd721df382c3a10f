import { ClipkitError, fillTemplate } from '@clipkit/core';
import { forEachImageBatch } from '../inference/for-each-image-batch.js';
import { listImageFiles } from '../inference/image-files.js';
import { imagePreprocessor } from '../inference/image-preprocessor.js';
import { openModel } from '../inference/open-model.js';
import { chooseTemplates, givenTemplates, modelPrompts } from '../inference/prompt-templates.js';
import { reportSkippedImages } from '../inference/report-skipped-images.js';

export interface ZeroShotOptions {
  model: string;
  labels?: string;
  template: string[];
  templates?: string;
  top: number;
  batchSize: number;
  backend?: string;
  json?: boolean;
}

interface Prediction {
  label: string;
  probability: number;
}

interface ImageResult {
  image: string;
  predictions: Prediction[];
}

/** --labels, else the classes the model records. */
function labelsOf(options: ZeroShotOptions, dir: string, recorded: readonly string[] | undefined): readonly string[] {
  if (options.labels !== undefined) return parseLabels(options.labels);
  if (recorded) return recorded;
  throw new ClipkitError(`${dir} records no classes (zero-shot-prompts.json): give --labels, e.g. "cat,dog,car"`);
}

function parseLabels(labels: string): string[] {
  const names = labels.split(',').map((l) => l.trim());
  if (names.length < 2 || names.some((l) => l === '')) {
    throw new ClipkitError(`--labels ${JSON.stringify(labels)}: give at least two comma-separated, non-empty class names, e.g. "cat,dog,car"`);
  }
  return names;
}

function topPredictions(probabilities: Float32Array, labels: readonly string[], top: number): Prediction[] {
  return labels
    .map((label, i) => ({ label, probability: probabilities[i] }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, top);
}

/** image | label | probability, the image named once above its labels. */
function formatTable(results: readonly ImageResult[]): string {
  const imageWidth = Math.max(5, ...results.map((r) => r.image.length));
  const labelWidth = Math.max(5, ...results.flatMap((r) => r.predictions.map((p) => p.label.length)));
  const lines = [`${'image'.padEnd(imageWidth)}  ${'label'.padEnd(labelWidth)}  probability`];
  for (const { image, predictions } of results) {
    lines.push(...predictions.map((p, i) => `${(i === 0 ? image : '').padEnd(imageWidth)}  ${p.label.padEnd(labelWidth)}  ${p.probability.toFixed(4)}`));
  }
  return lines.join('\n');
}

/**
 * `clipkit zero-shot`: the top labels of each image among free-text labels, prompted with the templates given,
 * else the model's own (those it was evaluated with in training), else SigLIP's "This is a photo of {}." for a model
 * with a logit bias, else OpenAI's ImageNet templates; images go through the model's own transform. Probabilities
 * are a softmax over the labels for CLIP models and each label's own sigmoid for SigLIP's (ClipModel.classify).
 */
export async function zeroShot(images: string[], options: ZeroShotOptions): Promise<void> {
  const given = givenTemplates(options);
  // Bad prompts and missing images fail before the model is loaded.
  for (const template of given ?? []) fillTemplate(template, 'x');
  const files = listImageFiles(images);
  const loaded = await openModel(options.model, { backend: options.backend, fastRuntime: true });
  try {
    const { model } = loaded;
    const labels = labelsOf(options, loaded.directory.dir, modelPrompts(loaded)?.classNames);
    const templates = chooseTemplates(given, loaded);
    const transform = await imagePreprocessor(loaded);
    const classifier = await model.zeroShotClassifier(loaded.tokenizer, labels, templates, { batchSize: options.batchSize });
    const results: ImageResult[] = [];
    try {
      const unreadable = await forEachImageBatch(files.files, transform, options.batchSize, async (pixelValues, batch) => {
        const probabilities = await model.classify(pixelValues, classifier, { batchSize: options.batchSize });
        const rows = (await probabilities.data()) as Float32Array;
        probabilities.dispose();
        results.push(...batch.map((image, i) => ({ image, predictions: topPredictions(rows.subarray(i * labels.length, (i + 1) * labels.length), labels, options.top) })));
      });
      reportSkippedImages([...files.skipped, ...unreadable], results.length);
    } finally {
      classifier.dispose();
    }
    console.log(options.json ? JSON.stringify(results, null, 2) : formatTable(results));
  } finally {
    await loaded.dispose();
  }
}
