import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSentencePieceModel, writeTokenizerJson } from '@clipkit/tokenizer-sentencepiece';
import { describe, expect, it } from 'vitest';

// Truth: /work/shared/fixtures/tokenizer/cases.jsonl (OpenAI simple_tokenizer + clip.tokenize), through the
// built CLI (run `npx tsc -b apps/cli` first). Tolerance: exact ids.

interface Case {
  text: string;
  tokens: number[];
}

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const FIXTURES = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer`;
const CASES: Case[] = readFileSync(`${FIXTURES}/cases.jsonl`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);

function clipkit(args: string[], input: string) {
  const result = spawnSync(process.execPath, [MAIN, 'tokenize', ...args], { input, encoding: 'utf8' });
  return { status: result.status, lines: result.stdout.split('\n').filter((line) => line !== ''), stderr: result.stderr };
}

describe('clipkit tokenize', () => {
  it('prints the reference rows of every fixture text given as JSON lines', () => {
    const { status, lines, stderr } = clipkit(['--jsonl', '--tokenizer', `${FIXTURES}/bpe_simple_vocab_16e6.txt.gz`], CASES.map((c) => JSON.stringify(c.text)).join('\n'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual(CASES.map((c) => c.tokens));
  });

  it('reads plain lines, with the bundled vocabulary by default and a shorter context length', () => {
    const plain = CASES.filter((c) => !/[\r\n\u2028\u2029\x85]/.test(c.text)).slice(0, 40);
    const { status, lines } = clipkit(['--context-length', '20'], `${plain.map((c) => c.text).join('\n')}\n`);
    expect(status).toBe(0);
    const expected = plain.map((c) => {
      const ids = c.tokens.slice(1, c.tokens.indexOf(49407));
      return ids.length > 18 ? [49406, ...ids.slice(0, 18), 49407] : [49406, ...ids, 49407, ...new Array(18 - ids.length).fill(0)];
    });
    expect(lines.map((line) => JSON.parse(line))).toEqual(expected);
  });

  it('names the line of a text too long with --no-truncate, after printing the lines before it', () => {
    const { status, lines, stderr } = clipkit(['--context-length', '4', '--no-truncate'], 'a dog\none two three four five\n');
    expect(status).toBe(1);
    expect(lines).toEqual(['[49406,320,1929,49407]']);
    expect(stderr).toContain('clipkit: stdin line 2: the text is 7 tokens long (start and end included), more than the context length 4');
  });

  it('names the line of bad JSON and the missing tokenizer file', () => {
    const bad = clipkit(['--jsonl'], '"ok"\n{"text": 1}\n');
    expect([bad.status, bad.stderr]).toEqual([1, 'clipkit: stdin line 2: expected a JSON string, got object; with --jsonl every line is a JSON string\n']);
    const missing = clipkit(['--tokenizer', '/nonexistent/vocab.json'], 'a\n');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('tokenizer file not found: /nonexistent/vocab.json');
  });
});

// Truth: /work/shared/fixtures/tokenizer-siglip/cases.jsonl (transformers' SiglipTokenizer, `padded` = padding="max_length",
// truncation, max_length 16). Tolerance: exact ids.
interface SiglipCase {
  text: string;
  padded: number[];
}

const SIGLIP = `${process.env.CLIPKIT_SHARED}/fixtures/tokenizer-siglip`;
const SIGLIP_CASES: SiglipCase[] = readFileSync(`${SIGLIP}/cases.jsonl`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as SiglipCase);
const SIGLIP_INPUT = SIGLIP_CASES.map((c) => JSON.stringify(c.text)).join('\n');

describe('clipkit tokenize with a SentencePiece tokenizer', () => {
  it("prints SiglipTokenizer's padded rows of all 300 cases from a model folder, padded to its model_max_length (16)", () => {
    const { status, lines, stderr } = clipkit(['--jsonl', '--tokenizer', `${process.env.CLIPKIT_SHARED}/fixtures/models/siglip-tiny`], SIGLIP_INPUT);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual(SIGLIP_CASES.map((c) => c.padded));
  });

  it('prints the same rows from spiece.model and from a tokenizer.json written from it, with --context-length 16', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'clipkit-tokenize-')), 'tokenizer.json');
    await writeTokenizerJson(json, readSentencePieceModel(`${SIGLIP}/spiece.model`));
    for (const tokenizer of [`${SIGLIP}/spiece.model`, json]) {
      const { status, lines } = clipkit(['--jsonl', '--tokenizer', tokenizer, '--context-length', '16'], SIGLIP_INPUT);
      expect(status, tokenizer).toBe(0);
      expect(
        lines.map((line) => JSON.parse(line)),
        tokenizer,
      ).toEqual(SIGLIP_CASES.map((c) => c.padded));
    }
  });

  it('names the line of a text too long with --no-truncate, counting the end token', () => {
    const { status, lines, stderr } = clipkit(['--tokenizer', `${SIGLIP}/spiece.model`, '--context-length', '4', '--no-truncate'], 'a cat\na photo of a cat\n');
    expect(status).toBe(1);
    expect(lines).toEqual(['[3,16,1,1]']); // "a cat" = 3, 16 (cases.jsonl), then </s> and one pad
    expect(stderr).toContain('clipkit: stdin line 2: the text is 6 tokens long (end included), more than the context length 4');
  });
});
