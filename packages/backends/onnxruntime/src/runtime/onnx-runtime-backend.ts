import type { Backend } from '@clipkit/core';
import * as ort from 'onnxruntime-node';
import type { OnnxRuntimeBackendConfig } from '../onnx-runtime-schema.js';
import { ensureTensorBackend } from './tensor-backend.js';

/** `backend.type: "onnxruntime"`: the towers run in onnxruntime-node; tfjs carries the tensors between them (see ensureTensorBackend). */
export class OnnxRuntimeBackend implements Backend {
  readonly type = 'onnxruntime';

  constructor(private readonly config: OnnxRuntimeBackendConfig) {}

  async init(): Promise<string> {
    const tensors = await ensureTensorBackend();
    const threads = this.config.threads === null ? 'default threads' : `${this.config.threads} thread${this.config.threads === 1 ? '' : 's'}`;
    return `onnxruntime-node ${ort.env.versions.node} (cpu, ${threads}, graph optimisation ${this.config.graphOptimization}); tfjs ${tensors} for tensors`;
  }
}
