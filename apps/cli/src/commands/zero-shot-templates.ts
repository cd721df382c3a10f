/** The single prompt open_clip's and OpenAI's zero-shot examples use. */
export const DEFAULT_TEMPLATE = 'a photo of a {}.';

/** Named sets of prompts for --templates: openai = OpenAI's 80 ImageNet templates (OPENAI_IMAGENET_TEMPLATES of @clipkit/core). */
export const TEMPLATE_PRESETS = ['openai'] as const;
export type TemplatePreset = (typeof TEMPLATE_PRESETS)[number];
