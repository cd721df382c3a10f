import { BADNESS_SOURCE } from './data/ftfy-tables.js';

const BADNESS = new RegExp(BADNESS_SOURCE, 'u');

/** ftfy's badness.is_bad: the text holds a character sequence that is far likelier mojibake than intended. */
export function isBad(text: string): boolean {
  return BADNESS.test(text);
}
