import { isAbsolute, relative, resolve } from 'node:path';
import { type ClipDataset, ClipkitError, clipPreprocess, DATASET, definePlugin, fillTemplate, OPENAI_IMAGENET_TEMPLATES } from '@clipkit/core';
import { dataRandom } from '../common/data-random.js';
import { workerImageLoader } from '../common/image-loader.js';
import { augmentKey } from '../common/image-pipeline.js';
import { type ImageFolderDataConfig, imageFolderSchema } from './image-folder-config.js';
import { ImageFolderDataset } from './image-folder-dataset.js';
import { type ImageFolder, readImageFolder, readLines } from './read-image-folder.js';

/** The templates of the section: a file's lines, a list, or OpenAI's ImageNet templates; each must hold {}. */
export function imageFolderTemplates(data: ImageFolderDataConfig): readonly string[] {
  const { templates } = data;
  const list = templates === null ? OPENAI_IMAGENET_TEMPLATES : typeof templates === 'string' ? readLines(resolve(data.path, templates), 'templates file') : templates;
  const where = typeof templates === 'string' ? resolve(data.path, templates) : 'data.templates';
  if (list.length === 0) throw new ClipkitError(`${where} holds no templates; write one prompt per line with {} for the class name, e.g. "a photo of a {}."`);
  for (const template of list) {
    try {
      fillTemplate(template, 'x');
    } catch (error) {
      throw new ClipkitError(`${where}: ${(error as Error).message}`);
    }
  }
  return list;
}

/** Logs the entries of a folder that were left out, the first few by name, so a folder "x.png" or a broken link does not go unnoticed. */
function logSkipped({ root, skipped }: ImageFolder, log: (message: string) => void): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 10).map((s) => `${relative(root, s.path)}: ${s.reason}`);
  log(`image-folder: left out ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} of ${root} named like images: ${shown.join('; ')}${skipped.length > 10 ? '; ...' : ''}`);
}

/** `data.type: "image-folder"`: DIR/<class>/<image> folders; images decoded on a worker thread. */
export const imageFolderPlugin = definePlugin<ClipDataset, ImageFolderDataConfig>({
  slot: DATASET,
  type: 'image-folder',
  schema: imageFolderSchema,
  create(data, { config, log }) {
    const train = readImageFolder(data.path);
    const evalRoot = data.evalPath === null ? null : isAbsolute(data.evalPath) ? data.evalPath : resolve(data.path, data.evalPath);
    const evalFolder = evalRoot === null ? undefined : evalRoot === resolve(data.path) ? train : readImageFolder(evalRoot);
    const templates = imageFolderTemplates(data);
    const imageSize = config.model.vision.imageSize;
    const preprocess = config.preprocess ?? clipPreprocess(imageSize);
    log(
      `image-folder: ${train.images.length} training images of ${train.classNames.length} classes in ${data.path}` +
        `${evalFolder ? `, ${evalFolder.images.length} evaluation images in ${evalRoot}` : ''}, ${templates.length} templates${data.augment ? ', augmented' : ''}`,
    );
    for (const folder of evalFolder && evalFolder !== train ? [train, evalFolder] : [train]) logSkipped(folder, log);
    const loader = workerImageLoader({ preprocess, imageSize, augment: data.augment, augmentKey: augmentKey(dataRandom(config.train.seed)) });
    return new ImageFolderDataset({ train, eval: evalFolder, templates, imageSize, preprocess, seed: config.train.seed, loader, log });
  },
});
