import { ClipImageTransform, decodeImage } from '@clipkit/images';

/** One image after decoding and CLIP's transform ([3, S, S] float32), or why it could not be read. */
export type LoadedImage = { readonly pixels: Float32Array } | { readonly error: string };

/** Decodes the files concurrently (sharp works on libuv's threads) and applies OpenAI's `_transform(imageSize)`. */
export async function loadClipImages(paths: readonly string[], imageSize: number): Promise<LoadedImage[]> {
  const transform = ClipImageTransform.forImageSize(imageSize);
  return Promise.all(
    paths.map(async (path): Promise<LoadedImage> => {
      try {
        return { pixels: transform.transform(await decodeImage(path)) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
