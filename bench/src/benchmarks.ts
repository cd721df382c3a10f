import { embedImages } from './embed-images.js';
import { gemmSpeed } from './gemm-speed.js';
import { killResumeBenchmark } from './kill-resume.js';
import { onnxInference } from './onnx-inference.js';
import { onnxPrecision } from './onnx-precision.js';
import { searchIndexing } from './search-indexing.js';
import { searchLatency } from './search-latency.js';
import { searchServer } from './search-server.js';
import { sentencepieceBenchmark } from './sentencepiece.js';
import { siglipMemory } from './siglip-memory.js';
import { siglipTowers } from './siglip-towers.js';
import { tokenizerBenchmark } from './tokenizer.js';
import { torchLoad } from './torch-load.js';
import { towers } from './towers.js';
import { trainSpeed } from './train-speed.js';

export interface Benchmark {
  name: string;
  description: string;
  run(args: string[]): Promise<void>;
}

/** Every benchmark, each in its own file. */
export const BENCHMARKS: readonly Benchmark[] = [
  embedImages,
  gemmSpeed,
  killResumeBenchmark,
  onnxInference,
  onnxPrecision,
  searchIndexing,
  searchLatency,
  searchServer,
  sentencepieceBenchmark,
  siglipMemory,
  siglipTowers,
  tokenizerBenchmark,
  torchLoad,
  towers,
  trainSpeed,
];
