import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the examples of the packages' READMEs as users would paste them: every ```js block is written to an
// .mjs file and run with node. The files sit inside the repository, so `import ... from '@clipkit/core'`
// resolves through the workspace's node_modules to the built packages (build first: npx tsc -b).
// ```js-nolint, ```ts and ```sh blocks are shown, not run: they need files users bring (model directories,
// images) or are not plain JavaScript. In apps/cli/README.md, a ```sh block right after the comment
// <!-- readme-examples: run --> is run with bash.
const root = fileURLToPath(new URL('..', import.meta.url));
const examplesDir = join(root, '.readme-examples');
const TIMEOUT_MS = 60_000;
const RUN_MARKER = '<!-- readme-examples: run -->';

/** The READMEs written for the published packages; each must hold at least one example that runs. */
const REQUIRED = [
  'packages/core/README.md',
  'packages/layers/README.md',
  'packages/encoders-vit/README.md',
  'packages/encoders-resnet/README.md',
  'packages/text-transformer/README.md',
  'packages/tokenizer-sentencepiece/README.md',
  'packages/losses/README.md',
  'packages/images/README.md',
  'packages/hub/README.md',
  'packages/checkpoints/README.md',
  'packages/search/README.md',
  'apps/cli/README.md',
];

interface CodeBlock {
  /** The fence's info string's first word: js, js-nolint, sh, ... */
  language: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** Whether the line before the fence is the run marker. */
  marked: boolean;
}

interface Example {
  readme: string;
  /** 1-based position among the README's runnable blocks. */
  index: number;
  block: CodeBlock;
  command: 'node' | 'bash';
}

/** The fenced code blocks of a Markdown file (``` or longer backtick fences, as CommonMark). */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const start = i;
    let end = i + 1;
    while (end < lines.length && !(/^`+\s*$/.test(lines[end]) && lines[end].trim().length >= fence.length)) end++;
    if (end === lines.length) throw new Error(`line ${start + 1}: code block never closed`);
    blocks.push({ language: open[2], line: start + 1, code: `${lines.slice(start + 1, end).join('\n')}\n`, marked: lines[start - 1]?.trim() === RUN_MARKER });
    i = end;
  }
  return blocks;
}

function readmePaths(): string[] {
  const inFolders = (parent: string) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}/README.md`);
  return [...inFolders('packages'), ...inFolders('packages/backends'), 'apps/cli/README.md'].filter((path) => existsSync(join(root, path)));
}

function examplesOf(readme: string): Example[] {
  const runnable = codeBlocks(readFileSync(join(root, readme), 'utf8')).filter((b) => b.language === 'js' || (readme === 'apps/cli/README.md' && b.language === 'sh' && b.marked));
  return runnable.map((block, i) => ({ readme, index: i + 1, block, command: block.language === 'js' ? 'node' : 'bash' }));
}

const readmes = readmePaths();
const examples = readmes.flatMap(examplesOf);

const tmp = join(examplesDir, 'tmp');
rmSync(examplesDir, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });

describe('README examples', () => {
  it.each(REQUIRED)('%s exists and has an example that runs', (readme) => {
    expect(readmes).toContain(readme);
    expect(examples.filter((e) => e.readme === readme).length).toBeGreaterThan(0);
  });

  it.each(examples.map((e) => [`${e.readme} ${e.block.language} example ${e.index} (line ${e.block.line})`, e] as const))('%s runs', (_name, example) => {
    const name = `${example.readme.replace(/\/README\.md$/, '').replaceAll('/', '-')}-${example.index}.${example.command === 'node' ? 'mjs' : 'sh'}`;
    const file = join(examplesDir, name);
    writeFileSync(file, example.command === 'bash' ? `set -euo pipefail\n${example.block.code}` : example.block.code);
    // Examples make their scratch folders with os.tmpdir(): keep them in here, emptied on the next run.
    const env = { ...process.env, TMPDIR: tmp };
    const result = spawnSync(example.command, [file], { cwd: examplesDir, env, encoding: 'utf8', timeout: TIMEOUT_MS });
    const output = `${file} (${example.readme}:${example.block.line})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
    expect(result.error, output).toBeUndefined();
    expect(result.signal, `killed after ${TIMEOUT_MS / 1000} s: ${output}`).toBeNull();
    expect(result.status, output).toBe(0);
  });
});
