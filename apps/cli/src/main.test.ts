import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the clipkit command', () => {
  it('prints its version', () => {
    expect(execFileSync('node', [main, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('explains itself with --help', () => {
    const help = execFileSync('node', [main, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^Usage: clipkit \[options\]/);
    expect(help).toContain('Train, evaluate and serve CLIP-style contrastive image-text models');
  });

  it('rejects an unknown command with a pointer to the help', () => {
    const run = spawnSync('node', [main, 'trian'], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('(run clipkit --help for usage)');
  });
});
