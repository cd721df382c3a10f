import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Packs every public package as npm would publish it, unpacks the tarballs together and imports each one.
// The check folder sits inside the repository so that third-party dependencies resolve from its
// node_modules without any network, while @clipkit/* resolve to the unpacked tarballs, not the sources.
const root = fileURLToPath(new URL('..', import.meta.url));
const checkDir = join(root, '.pack-check');
const modules = join(checkDir, 'node_modules');

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  files?: string[];
}

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
const packages = rootManifest.workspaces
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => !p.manifest.private);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Bare package names a built file imports (static and dynamic), builtins excluded. */
function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

beforeAll(() => {
  rmSync(checkDir, { recursive: true, force: true });
  const tarballs = join(checkDir, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', tarballs, ...packages.flatMap((p) => ['--workspace', p.dir])];
  const packed = JSON.parse(execFileSync('npm', args, { cwd: root, encoding: 'utf8' })) as { name: string; filename: string }[];
  for (const { name, filename } of packed) {
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(tarballs, filename), '-C', target, '--strip-components=1']);
  }
}, 120_000);

describe('packed packages', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s packs its built files and declares every import', (_name, { manifest }) => {
    const dir = join(modules, manifest.name);
    const files = filesUnder(dir).map((f) => f.slice(dir.length + 1));
    expect(files).toContain('package.json');
    expect(files.some((f) => f.endsWith('.test.js') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toBe(false);
    const entry = manifest.exports?.['.'] as { types: string; default: string } | undefined;
    if (entry) {
      expect(Object.keys(entry)[0]).toBe('types'); // types first, or TypeScript may not see them
      expect(files).toContain(entry.types.replace('./', ''));
      expect(files).toContain(entry.default.replace('./', ''));
    }
    const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const undeclared = files
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => importedPackages(readFileSync(join(dir, f), 'utf8')).map((pkg) => `${pkg} (in ${f})`))
      .filter((use) => !declared.has(use.split(' ')[0]));
    expect(undeclared).toEqual([]);
  });

  it('imports every unpacked package together', () => {
    const libraries = packages.filter((p) => p.manifest.exports?.['.']).map((p) => p.manifest.name);
    const script = join(checkDir, 'import-all.mjs');
    writeFileSync(
      script,
      libraries.map((name, i) => `import * as m${i} from '${name}';\nif (Object.keys(m${i}).length === 0) throw new Error('${name} exports nothing');`).join('\n') +
        "\nconsole.log('ok');\n",
    );
    expect(execFileSync('node', [script], { cwd: checkDir, encoding: 'utf8' }).trim()).toBe('ok');
    // The resolution really used the tarballs, not the workspace sources.
    const resolved = execFileSync('node', ['--input-type=module', '-e', "console.log(import.meta.resolve('@clipkit/core'))"], { cwd: checkDir, encoding: 'utf8' });
    expect(fileURLToPath(resolved.trim())).toContain(join('.pack-check', 'node_modules', '@clipkit', 'core'));
  });

  it('runs the packed clipkit command', () => {
    const cli = packages.find((p) => p.manifest.bin?.clipkit);
    expect(cli).toBeDefined();
    const bin = join(modules, cli!.manifest.name, cli!.manifest.bin!.clipkit);
    expect(execFileSync('node', [bin, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(dirname(bin)).toContain('.pack-check');
  });
});
