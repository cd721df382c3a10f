import { BACKEND, type Backend, definePlugin, type TfjsBackendConfig } from '@clipkit/core';
import { initTfjs } from './init-tfjs.js';

class TfjsBackend implements Backend {
  readonly type = 'tfjs';

  constructor(
    private readonly config: TfjsBackendConfig,
    private readonly log: (message: string) => void,
  ) {}

  async init(): Promise<string> {
    return (await initTfjs({ device: this.config.device, threads: this.config.threads, log: this.log })).description;
  }
}

/** The plug-in for `backend.type: "tfjs"`. */
export const tfjsBackendPlugin = definePlugin<Backend>({
  slot: BACKEND,
  type: 'tfjs',
  create: (config, context) => new TfjsBackend(config.backend as TfjsBackendConfig, context.log),
});
