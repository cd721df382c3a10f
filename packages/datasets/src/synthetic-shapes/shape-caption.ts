/** The words of one scene. */
export interface SceneWords {
  readonly shape: string;
  readonly colour: string;
  readonly size: string;
  readonly position: string;
}

/** "a" or "an" before a word, by its first letter (enough for the vocabulary: "an orange ..."). */
function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/**
 * The ways a caption can describe a scene: full descriptions, and shorter ones that leave out some of
 * colour, size and position (as real captions do, and so that the zero-shot prompts "a circle", "a picture
 * of a circle" are close to captions seen in training).
 */
const PHRASINGS: readonly ((w: SceneWords) => string)[] = [
  (w) => `a ${w.size} ${w.colour} ${w.shape} ${w.position}`,
  (w) => `${article(w.colour)} ${w.colour} ${w.shape} ${w.position}`,
  (w) => `${article(w.colour)} ${w.colour} ${w.shape}`,
  (w) => `a picture of a ${w.size} ${w.colour} ${w.shape}`,
  (w) => `a photo of ${article(w.colour)} ${w.colour} ${w.shape}`,
  (w) => `a ${w.size} ${w.shape} ${w.position}`,
  (w) => `a ${w.shape} ${w.position}`,
  (w) => `a picture of a ${w.shape}`,
  (w) => `a photo of a ${w.shape}`,
  (w) => `a ${w.shape}`,
];

export const SHAPE_PHRASING_COUNT = PHRASINGS.length;

/** Caption `phrasing` (0..SHAPE_PHRASING_COUNT-1) of a scene, e.g. "a small red circle on the left". */
export function shapeCaption(phrasing: number, words: SceneWords): string {
  return PHRASINGS[phrasing](words);
}

/** Zero-shot prompts over the shape names, in the phrasing of the training captions. */
export const SHAPE_TEMPLATES = ['a {}', 'a picture of a {}', 'a photo of a {}'] as const;
