import type { InferenceSession } from 'onnxruntime-node';
import type { OnnxRuntimeBackendConfig } from '../onnx-runtime-schema.js';

/** onnxruntime session options for a clipkit backend config. */
export function sessionOptions(config: Pick<OnnxRuntimeBackendConfig, 'threads' | 'graphOptimization'>): InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: config.graphOptimization,
    // One model runs at a time: its operators use the intra-op pool; a second pool would only compete for cores.
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(config.threads === null ? {} : { intraOpNumThreads: config.threads }),
    // Warnings such as "initializer X appears in graph inputs" (common in torch.onnx exports) are not the user's to fix.
    logSeverityLevel: 3,
  };
}
