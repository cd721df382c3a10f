import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type AnyClipPlugin, type ClipConfig, ClipkitError, MetricsLog, readClipConfig, type TrainResult, trainClip } from '@clipkit/core';
import { configFilePlugins } from '../plugins/pipeline-plugins.js';
import { writeRunPlot } from '../training/run-report.js';
import { svgCharts } from '../training/svg-line-chart.js';
import { trainProgress } from '../training/train-progress.js';
import { trainingCharts } from '../training/training-plot.js';

export interface CompareCommandOptions {
  configs: string[];
  out: string;
  maxSteps?: number;
}

interface ComparedRun {
  name: string;
  config: ClipConfig;
  plugins: AnyClipPlugin[];
}

interface RunSummary {
  name: string;
  config: ClipConfig;
  result: TrainResult;
  parameters: number;
  seconds: number;
}

/** The configs must differ in the model or the loss, not in what they are measured on. */
function checkComparable(runs: readonly ComparedRun[]): void {
  const [first, ...rest] = runs;
  for (const run of rest) {
    for (const [what, pick] of [
      ['data', (c: ClipConfig) => c.data],
      ['train.seed', (c: ClipConfig) => c.train.seed],
    ] as const) {
      if (!isDeepStrictEqual(pick(run.config), pick(first.config))) {
        throw new ClipkitError(`compare trains every config on the same data with the same seed, but ${first.name} and ${run.name} differ in ${what}`);
      }
    }
  }
}

const cell = (v: number | undefined, digits = 2) => (v === undefined ? '-' : `${(v * 100).toFixed(digits)}%`);

function markdownTable(runs: RunSummary[]): string {
  const header = '| run | vision | loss | parameters | steps | final loss | zero-shot top-1 | top-5 | I->T R@1 | T->I R@1 | samples/s | wall time |';
  const rule = '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = runs.map(({ name, config, result, parameters, seconds }) => {
    const e = result.evaluation;
    return `| ${name} | ${config.model.vision.type} | ${config.loss.type} | ${parameters.toLocaleString('en')} | ${result.stepsDone} | ${result.finalLoss.toFixed(4)} | ${cell(e?.zeroShot?.top1)} | ${cell(e?.zeroShot?.top5)} | ${cell(e?.retrieval?.imageToText.r1, 1)} | ${cell(e?.retrieval?.textToImage.r1, 1)} | ${result.samplesPerSecond.toFixed(1)} | ${seconds.toFixed(0)} s |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** `clipkit compare`: every config trained into its own run folder, then compare.md and compare.svg. */
export async function compare(options: CompareCommandOptions): Promise<void> {
  const runs: ComparedRun[] = [];
  for (const file of options.configs) {
    const plugins = await configFilePlugins(file);
    runs.push({ name: basename(file, extname(file)), config: readClipConfig(file, plugins), plugins });
  }
  if (new Set(runs.map((r) => r.name)).size !== runs.length) throw new ClipkitError('compare needs config files with different names (each names its run folder)');
  checkComparable(runs);
  mkdirSync(options.out, { recursive: true });
  const summaries: RunSummary[] = [];
  for (const { name, config, plugins } of runs) {
    let parameters = 0;
    const progress = trainProgress(name);
    const started = performance.now();
    const result = await trainClip(config, plugins, {
      outDir: join(options.out, name),
      maxSteps: options.maxSteps,
      onEvent: (event) => {
        if (event.type === 'start') parameters = event.parameters;
        progress(event);
      },
    });
    writeRunPlot(join(options.out, name), name);
    summaries.push({ name, config, result, parameters, seconds: (performance.now() - started) / 1000 });
  }
  const table = markdownTable(summaries);
  writeFileSync(
    join(options.out, 'compare.md'),
    `# clipkit compare\n\n${table}\n\nEvery run: same data and seed; each run folder holds its checkpoint, metrics.jsonl and training.svg.\n`,
  );
  const charts = trainingCharts(summaries.map((s) => ({ label: s.name, lines: new MetricsLog(s.result.metricsFile).read() })));
  writeFileSync(join(options.out, 'compare.svg'), svgCharts(charts));
  console.log(table);
  console.log(`\ntable: ${join(options.out, 'compare.md')}  plot: ${join(options.out, 'compare.svg')}`);
}
