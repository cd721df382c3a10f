import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EvalMetrics, MetricsLog, SafetensorsFile } from '@clipkit/core';
import { beforeAll, describe, expect, it } from 'vitest';

// Issue 10 item 3, as a third party would do it: examples/encoders-mixer (a package outside the workspaces and
// the build, adding an MLP-Mixer image tower) and clipkit's public packages are packed as npm publishes them,
// installed from the tarballs into a new project outside the repository (registry packages from npm's cache),
// and that project's `npx clipkit train --config mixer.json` trains the tower its config names in "plugins".
// Nothing of the workspace is in reach of the project, and core knows nothing of the Mixer.
const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples', 'encoders-mixer');
const PACKAGE = 'clipkit-encoders-mixer';
const STEPS = 30;
let project: string;

interface Packed {
  name: string;
  filename: string;
}

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const clipkit = (...args: string[]) => spawnSync('npx', ['clipkit', ...args], { cwd: project, encoding: 'utf8' });

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'clipkit-external-plugin-'));
  const tarballs = join(project, 'tarballs');
  mkdirSync(tarballs);
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const published = workspaces.filter((dir) => !(JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { private?: boolean }).private);
  const packed = [
    ...(JSON.parse(npm(['pack', '--json', '--pack-destination', tarballs, ...published.flatMap((dir) => ['--workspace', dir])], root)) as Packed[]),
    ...(JSON.parse(npm(['pack', '--json', '--pack-destination', tarballs], example)) as Packed[]),
  ];
  const dependencies = Object.fromEntries(packed.map(({ name, filename }) => [name, `file:tarballs/${filename}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'mixer-project', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2));
  // No install script is needed: the blas addon is built into @clipkit/backend-tfjs's dist, onnxruntime-node and sharp ship their binaries.
  npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
  copyFileSync(join(example, 'mixer.json'), join(project, 'mixer.json'));
}, 300_000);

describe(`${PACKAGE}, installed from its tarball beside clipkit's`, () => {
  it('resolves clipkit, core and the plug-in from the project, not from the workspace', () => {
    const resolve = (name: string) =>
      execFileSync('node', ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(name)}))`], { cwd: project, encoding: 'utf8' }).trim();
    for (const name of ['clipkit', '@clipkit/core', PACKAGE]) expect(fileURLToPath(resolve(name)), name).toContain(join(project, 'node_modules'));
  });

  it(`trains the Mixer tower the config names for ${STEPS} steps, writing its checkpoint and a zero-shot evaluation`, () => {
    const run = clipkit('train', '--config', 'mixer.json', '--max-steps', String(STEPS), '--out', 'run');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`mixer: [\\d,]+ parameters, ${STEPS} steps of batch 64`));
    const checkpoint = join(project, 'run', 'checkpoint');
    for (const file of ['clipkit.json', 'model.safetensors', 'optimizer.safetensors']) expect(existsSync(join(checkpoint, file)), file).toBe(true);
    const saved = JSON.parse(readFileSync(join(checkpoint, 'clipkit.json'), 'utf8')) as { plugins: string[]; model: { vision: Record<string, unknown> } };
    expect(saved.plugins).toEqual([PACKAGE]);
    // The schema's defaults, filled by the plug-in's own transform.
    expect(saved.model.vision).toMatchObject({ type: 'mixer', width: 128, tokenMlpWidth: 64, channelMlpWidth: 512 });
    const evals = new MetricsLog(join(project, 'run', 'metrics.jsonl')).read().filter((l): l is EvalMetrics => l.type === 'eval');
    expect(evals.map((e) => [e.afterSteps, e.zeroShot?.count])).toEqual([[STEPS, 1000]]);
  });

  it('stores the tower under its own state-dict names', async () => {
    const weights = await SafetensorsFile.open(join(project, 'run', 'checkpoint', 'model.safetensors'));
    const names = [...weights.entries.keys()];
    await weights.close();
    expect(names).toEqual(expect.arrayContaining(['visual.stem.weight', 'visual.blocks.3.token_mlp.c_fc.weight', 'visual.blocks.3.channel_mlp.c_proj.bias', 'visual.proj.weight']));
  });

  it('evaluates the trained folder again with the plug-ins its clipkit.json keeps (clipkit eval), as the run did', () => {
    const run = clipkit('eval', '--model', 'run/checkpoint', '--json');
    expect(run.status, run.stderr).toBe(0);
    const evaluated = JSON.parse(run.stdout) as { zeroShot: { top1: number; count: number } };
    const [trained] = new MetricsLog(join(project, 'run', 'metrics.jsonl')).read().filter((l): l is EvalMetrics => l.type === 'eval');
    expect(evaluated.zeroShot.count).toBe(1000);
    // Same weights, data and code; batches of another size may round a near-tie differently: at most 2 of 1000 images.
    expect(Math.abs(evaluated.zeroShot.top1 - (trained.zeroShot?.top1 ?? Number.NaN))).toBeLessThanOrEqual(0.002);
  });

  it('adds its section to the JSON Schema of `clipkit config-schema --plugins`', () => {
    const run = clipkit('config-schema', '--plugins', PACKAGE);
    expect(run.status, run.stderr).toBe(0);
    const schema = JSON.parse(run.stdout) as { properties: { model: { properties: { vision: { oneOf: { properties: { type: { const: string } } }[] } } } } };
    expect(schema.properties.model.properties.vision.oneOf.map((s) => s.properties.type.const)).toEqual(['vit', 'resnet', 'siglip', 'mixer']);
  });
});
