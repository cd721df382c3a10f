import type { Backend, OnnxRuntimeBackendConfig } from '@clipkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';

/**
 * `backend.type: "onnxruntime"`: the towers run in onnxruntime-node; tfjs only carries tensors between
 * them and the pipeline (preprocessing, normalising, logits), for which its plain cpu backend is enough
 * and takes no cores from onnxruntime. A tfjs backend chosen earlier in the process is kept.
 */
export class OnnxRuntimeBackend implements Backend {
  readonly type = 'onnxruntime';

  constructor(private readonly config: OnnxRuntimeBackendConfig) {}

  async init(): Promise<string> {
    if (!tf.engine().backendName) {
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.setBackend('cpu');
      // The cpu backend's first write prints a banner urging tfjs-node, which is beside the point here.
      const cpu = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
      if (cpu) cpu.firstUse = false;
    }
    const threads = this.config.threads === null ? 'default threads' : `${this.config.threads} thread${this.config.threads === 1 ? '' : 's'}`;
    return `onnxruntime-node ${ort.env.versions.node} (cpu, ${threads}, graph optimisation ${this.config.graphOptimization}); tfjs ${tf.getBackend()} for tensors`;
  }
}
