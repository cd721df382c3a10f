import { readdirSync } from 'node:fs';

/**
 * Weight files of the formats model sources read (PyTorch pickles and archives, shard indexes, open_clip's
 * hub safetensors), by name only: core opens none of them, but says when it leaves them unread.
 */
const WEIGHT_FILE = /^(?:.+\.(?:bin|pt|pth)|.+\.safetensors\.index\.json|.+\.bin\.index\.json|open_clip_model\.safetensors)$/;

/** The weight files of other formats in a folder, sorted. */
export function otherWeightFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => WEIGHT_FILE.test(file))
    .sort();
}
