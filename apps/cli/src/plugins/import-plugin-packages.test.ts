import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipkitError } from '@clipkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { importPluginPackages } from './import-plugin-packages.js';

/** A project folder with node_modules/<name> holding an ES module with this source. */
function installFake(project: string, name: string, source: string): void {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { default: './index.js' } } }));
  writeFileSync(join(dir, 'index.js'), source);
}

const PLUGIN = (type: string) => `{ slot: { name: 'DATASET' }, type: '${type}', create: () => ({}) }`;
const cwd = process.cwd();

afterEach(() => process.chdir(cwd));

describe('importPluginPackages', () => {
  it("imports each package's plugins, in order, from the config's folder", async () => {
    const project = mkdtempSync(join(tmpdir(), 'clipkit-plugins-'));
    installFake(project, 'first-plugins', `export const plugins = [${PLUGIN('a')}, ${PLUGIN('b')}];`);
    installFake(project, '@someone/second', `export const plugins = [${PLUGIN('c')}];`);
    const configDir = join(project, 'configs', 'nested');
    mkdirSync(configDir, { recursive: true });
    const plugins = await importPluginPackages(['first-plugins', '@someone/second'], configDir);
    expect(plugins.map((p) => p.type)).toEqual(['a', 'b', 'c']);
  });

  it('falls back to the working directory when the config folder does not have the package', async () => {
    const project = mkdtempSync(join(tmpdir(), 'clipkit-plugins-'));
    installFake(project, 'from-cwd', `export const plugins = [${PLUGIN('d')}];`);
    const elsewhere = mkdtempSync(join(tmpdir(), 'clipkit-config-'));
    process.chdir(project);
    expect((await importPluginPackages(['from-cwd'], elsewhere)).map((p) => p.type)).toEqual(['d']);
  });

  it('says what to install for a missing package, and what to export for one without plugins', async () => {
    const project = mkdtempSync(join(tmpdir(), 'clipkit-plugins-'));
    installFake(project, 'no-list', 'export const plugin = {};');
    installFake(project, 'bad-list', 'export const plugins = [{ type: "x" }];');
    const missing = importPluginPackages(['not-installed-anywhere'], project);
    await expect(missing).rejects.toThrow(ClipkitError);
    await expect(missing).rejects.toThrow(/plug-in package "not-installed-anywhere" is not installed .*npm install not-installed-anywhere/);
    await expect(importPluginPackages(['no-list'], project)).rejects.toThrow(/"no-list" .* has no `plugins` export .*export const plugins = \[\.\.\.\]/);
    await expect(importPluginPackages(['bad-list'], project)).rejects.toThrow(/"bad-list" .* has no `plugins` export/);
  });

  it('refuses paths: only package names are imported', async () => {
    const project = mkdtempSync(join(tmpdir(), 'clipkit-plugins-'));
    writeFileSync(join(project, 'local.js'), `export const plugins = [${PLUGIN('e')}];`);
    for (const name of ['./local.js', join(project, 'local.js'), '../local', 'Capital']) {
      await expect(importPluginPackages([name], project), name).rejects.toThrow(/is not an npm package name/);
    }
  });
});
