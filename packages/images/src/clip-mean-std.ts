/** OpenAI CLIP's normalisation constants (clip/clip.py `_transform`), also open_clip's OPENAI_DATASET_MEAN/STD. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
