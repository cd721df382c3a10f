import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type ClipConfig, ClipkitError, MetricsLog, readClipConfig, trainClip, type TrainResult } from '@clipkit/core';
import { type Command, InvalidArgumentError } from 'commander';
import { CLIP_PLUGINS } from '../inference/clip-plugins.js';
import { svgCharts } from '../training/svg-line-chart.js';
import { writeRunPlot } from '../training/run-report.js';
import { trainingCharts } from '../training/training-plot.js';
import { trainProgress } from '../training/train-progress.js';

interface CompareCommandOptions {
  configs: string[];
  out: string;
  maxSteps?: number;
}

interface RunSummary {
  name: string;
  config: ClipConfig;
  result: TrainResult;
  parameters: number;
  seconds: number;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** The configs must differ in the model or the loss, not in what they are measured on. */
function checkComparable(runs: { name: string; config: ClipConfig }[]): void {
  const [first, ...rest] = runs;
  for (const run of rest) {
    for (const [what, pick] of [
      ['data', (c: ClipConfig) => c.data],
      ['train.seed', (c: ClipConfig) => c.train.seed],
    ] as const) {
      if (JSON.stringify(pick(run.config)) !== JSON.stringify(pick(first.config))) {
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

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('train several configs on the same data and seed, and write a side-by-side table and plot')
    .requiredOption('--configs <files...>', 'clipkit config files, e.g. configs/shapes-vit-clip.json configs/shapes-vit-siglip.json')
    .option('--out <dir>', 'folder for one run folder per config, compare.md and compare.svg', 'runs/compare')
    .option('--max-steps <n>', 'stop every run after n steps', positiveInteger)
    .action(async (options: CompareCommandOptions) => {
      const runs = options.configs.map((file) => ({ name: basename(file, extname(file)), config: readClipConfig(file) }));
      if (new Set(runs.map((r) => r.name)).size !== runs.length) throw new ClipkitError('compare needs config files with different names (each names its run folder)');
      checkComparable(runs);
      mkdirSync(options.out, { recursive: true });
      const summaries: RunSummary[] = [];
      for (const { name, config } of runs) {
        let parameters = 0;
        const progress = trainProgress(name);
        const started = performance.now();
        const result = await trainClip(config, CLIP_PLUGINS, {
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
    });
}
