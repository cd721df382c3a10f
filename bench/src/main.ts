/**
 * `npm run bench -- <name> [args]` runs one benchmark; no name lists them. Benchmarks print what they
 * measured with the batch size, backend and thread count, so figures can be compared across machines.
 */
import { BENCHMARKS } from './benchmarks.js';

const [name, ...args] = process.argv.slice(2);
const bench = BENCHMARKS.find((b) => b.name === name);
if (!bench) {
  console.log('usage: npm run bench -- <name> [args]\n');
  for (const b of BENCHMARKS) console.log(`  ${b.name.padEnd(20)} ${b.description}`);
  process.exitCode = name ? 1 : 0;
} else {
  await bench.run(args);
}
