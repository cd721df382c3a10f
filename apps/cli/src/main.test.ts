import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// Module hooks that fail the import of clipkit's core and the heavy native packages: what a command that
// must stay light (--help, --version) may not load.
const HEAVY = /^(@clipkit\/core|@tensorflow\/|onnxruntime-node|sharp)(\/|$)/;
const hooks = `export async function resolve(specifier, context, next) { if (${HEAVY}.test(specifier)) throw new Error('imported ' + specifier); return next(specifier, context); }`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
const withoutHeavyModules = (...args: string[]) =>
  spawnSync('node', ['--import', `data:text/javascript,${encodeURIComponent(register)}`, main, ...args], { encoding: 'utf8', input: '' });

describe('the clipkit command', () => {
  it('prints its version', () => {
    expect(execFileSync('node', [main, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('explains itself with --help', () => {
    const help = execFileSync('node', [main, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: clipkit \[options\]/);
    expect(help).toContain('Train, evaluate and serve CLIP-style contrastive image-text models');
    for (const command of ['train', 'eval', 'compare', 'embed', 'zero-shot', 'tokenize', 'export-onnx', 'convert', 'config-schema', 'index', 'search', 'serve', 'demo-images'])
      expect(help).toMatch(new RegExp(`\\n  ${command} `));
  });

  it('rejects an unknown command with a pointer to the help', () => {
    const run = spawnSync('node', [main, 'trian'], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('(run clipkit --help for usage)');
  });

  it('exits with 2 on a usage error, the argument parser finding it, and says so in the help', () => {
    for (const args of [['trian'], ['train', '--bogus'], ['train', '--max-steps'], ['embed', '--model']]) {
      const run = spawnSync('node', [main, ...args], { encoding: 'utf8' });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error: .*\n(.*\n)?\(run clipkit --help for usage\)\n$/);
    }
    for (const args of [['--help'], ['train', '--help'], ['--version'], ['help', 'train']]) expect(spawnSync('node', [main, ...args]).status, args.join(' ')).toBe(0);
    const help = execFileSync('node', [main, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/\nExit codes:\n {2}0 {6}done\n {2}1 {6}bad input, files or environment .*\n.*one line on stderr.*\n {2}2 {6}a usage error/);
  });

  it('prints a failing environment as one line with exit code 1', () => {
    // --out under a file: the file system's ENOTDIR, said of the path.
    const run = spawnSync('node', [main, 'config-schema', '--out', `${main}/schema.json`], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`clipkit: cannot write ${main}/schema.json: a part of the path is a file, not a folder (ENOTDIR); give a path inside a folder\n`);
  });

  it("answers --help, --version and a command's --help without importing core, tfjs, onnxruntime or sharp", () => {
    for (const args of [['--help'], ['--version'], ['train', '--help'], ['help', 'embed'], ['search', '--help'], ['help', 'serve']]) {
      const run = withoutHeavyModules(...args);
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    // The hooks do catch a command that needs core: the check above can fail.
    const tokenize = withoutHeavyModules('tokenize');
    expect(tokenize.status).not.toBe(0);
    expect(tokenize.stderr).toContain('imported @clipkit/core');
  });

  it('prints a user mistake as one line, without a stack', () => {
    const run = spawnSync('node', [main, 'train', '--resume'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('clipkit: --resume needs --out DIR, the run folder to continue\n');
  });
});
