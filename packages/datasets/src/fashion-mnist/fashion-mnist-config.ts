import { z } from '@clipkit/core';
import { augmentSchema } from '../common/augment-schema.js';

/** Where Debian's dataset-fashion-mnist installs the four idx files. */
const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** `data.type: "fashion-mnist"`: Fashion-MNIST's idx files, as Debian's dataset-fashion-mnist installs them. */
export const fashionMnistSchema = z.strictObject({
  type: z.literal('fashion-mnist'),
  path: z.string().min(1).default(DEBIAN_FASHION_MNIST).describe(`Folder of the four idx(.gz) files, relative to the config file. Default "${DEBIAN_FASHION_MNIST}".`),
  augment: augmentSchema,
});

export type FashionMnistDataConfig = z.output<typeof fashionMnistSchema>;
