import { type BlasAddon, loadBlasAddon } from '@clipkit/backend-tfjs';
import { SeededRandom } from '@clipkit/core';
import type { Benchmark } from './benchmarks.js';

/**
 * Single-thread GFLOP/s of each GEMM the blas addon has on this machine (OpenBLAS where it loads, and
 * each build of clipkit's own: `info().gemms`) on the products of a training step of the benchmark model
 * (batch 128: 8320 image tokens, width 256, MLP 1024, 65 tokens per attention head) and square ones.
 * One call of `addon.sgemm` runs one product on the calling thread, as each slice of the addon's thread
 * pool does. The GEMMs take turns within each round, and each figure is the best round: by CPU time of
 * the process (what other work on a shared machine does not inflate) and by wall time.
 */

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const SHAPES: Shape[] = [
  { name: 'ViT MLP in, x Wᵀ', m: 8320, n: 1024, k: 256, transA: false, transB: true },
  { name: 'ViT MLP out, x Wᵀ', m: 8320, n: 256, k: 1024, transA: false, transB: true },
  { name: 'ViT MLP out, dy W', m: 8320, n: 1024, k: 256, transA: false, transB: false },
  { name: 'ViT weight gradient, xᵀ dy', m: 1024, n: 256, k: 8320, transA: true, transB: false },
  { name: 'square 1024', m: 1024, n: 1024, k: 1024, transA: false, transB: false },
  { name: 'square 128', m: 128, n: 128, k: 128, transA: false, transB: false },
  { name: 'attention scores, q kᵀ', m: 65, n: 65, k: 64, transA: false, transB: true },
  { name: 'attention output, p v', m: 65, n: 64, k: 65, transA: false, transB: false },
  { name: 'attention dv, pᵀ dy', m: 65, n: 64, k: 65, transA: true, transB: false },
];

/** Each round runs a GEMM for about this long, at the pace assumed here (a fast GEMM on one core). */
const ROUND_SECONDS = 0.3;
const ASSUMED_FLOPS = 100e9;

interface Options {
  gemms: string[] | null;
  rounds: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { gemms: null, rounds: 5 };
  const usage = 'use --gemms KEY,KEY (keys of the addon: openblas, avx2, sse2), --rounds N';
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--gemms' && value) options.gemms = value.split(',');
    else if (flag === '--rounds' && Number.isInteger(Number(value)) && Number(value) >= 1) options.rounds = Number(value);
    else throw new Error(`gemm: unknown argument "${flag} ${value ?? ''}"; ${usage}`);
  }
  return options;
}

/** Runs the product `calls` times; returns the CPU-seconds of the process and the wall seconds it took. */
function time(addon: BlasAddon, shape: Shape, operands: Float32Array[], calls: number): { cpu: number; wall: number } {
  const { m, n, k, transA, transB } = shape;
  const [a, b, c] = operands;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < calls; i++) addon.sgemm(transA, transB, m, n, k, 1, a, transA ? m : k, b, transB ? k : n, 0, c, n);
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1e6, wall: (performance.now() - start) / 1000 };
}

export const gemmSpeed: Benchmark = {
  name: 'gemm',
  description: "single-thread GFLOP/s of the blas addon's GEMMs (OpenBLAS, clipkit's AVX2 and SSE2 builds) on training-step products",
  async run(args) {
    const options = parseArgs(args);
    const load = loadBlasAddon();
    if ('error' in load) throw new Error(`gemm: the blas addon did not load (${load.error})`);
    const addon = load.addon;
    const initial = addon.info();
    const gemms = options.gemms ?? initial.gemms;
    const names = new Map<string, string>();
    for (const gemm of gemms) {
      addon.useGemm(gemm);
      names.set(gemm, addon.info().gemm);
    }
    console.log(`single-thread GFLOP/s, best of ${options.rounds} rounds of ~0.3 s per GEMM, by CPU time of the process (by wall time in brackets)`);
    console.log(`GEMMs: ${[...names].map(([key, name]) => `${key} = ${name}`).join('; ')}`);
    const rng = new SeededRandom(0);
    const header = gemms.map((gemm) => gemm.padStart(16)).join('');
    console.log(`${'product'.padEnd(30)} ${'m x n x k'.padEnd(18)}${header}${gemms.length > 1 ? `  ${gemms[1]}/${gemms[0]}` : ''}`);
    for (const shape of SHAPES) {
      const { m, n, k } = shape;
      const operands = [rng.uniformArray(m * k, -1, 1), rng.uniformArray(k * n, -1, 1), new Float32Array(m * n)];
      const flop = 2 * m * n * k;
      const calls = Math.ceil((ROUND_SECONDS * ASSUMED_FLOPS) / flop);
      const best = new Map(gemms.map((gemm) => [gemm, { cpu: 0, wall: 0 }]));
      for (let round = 0; round < options.rounds; round++) {
        for (const gemm of gemms) {
          addon.useGemm(gemm);
          time(addon, shape, operands, 1); // warm-up: packing buffers, caches
          const { cpu, wall } = time(addon, shape, operands, calls);
          const record = best.get(gemm) as { cpu: number; wall: number };
          record.cpu = Math.max(record.cpu, (flop * calls) / cpu / 1e9);
          record.wall = Math.max(record.wall, (flop * calls) / wall / 1e9);
        }
      }
      const cells = gemms.map((gemm) => {
        const { cpu, wall } = best.get(gemm) as { cpu: number; wall: number };
        return `${cpu.toFixed(1)} (${wall.toFixed(1)})`.padStart(16);
      });
      const ratio = gemms.length > 1 ? `  ${((best.get(gemms[1])?.cpu ?? 0) / (best.get(gemms[0])?.cpu ?? 1)).toFixed(2)}` : '';
      console.log(`${shape.name.padEnd(30)} ${`${m} x ${n} x ${k}`.padEnd(18)}${cells.join('')}${ratio}`);
    }
    addon.useGemm(initial.gemms[0]);
  },
};
