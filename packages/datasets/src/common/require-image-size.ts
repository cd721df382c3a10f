import { type ClipConfig, ConfigError } from '@clipkit/core';

/** The model must take images of the size the data has; `why` says where that size comes from. */
export function requireImageSize(config: ClipConfig, imageSize: number, why: string): void {
  const modelSize = config.model.vision.imageSize;
  if (modelSize !== imageSize) {
    throw new ConfigError([{ path: 'model.vision.imageSize', message: `must be ${imageSize}: ${why}`, value: modelSize }]);
  }
}
