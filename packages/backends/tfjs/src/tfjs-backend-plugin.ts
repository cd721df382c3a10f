import { BACKEND, type Backend, definePlugin } from '@clipkit/core';
import { initTfjs } from './init-tfjs.js';
import { type TfjsBackendConfig, tfjsBackendSchema } from './tfjs-backend-schema.js';

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

/** The plug-in for `backend.type: "tfjs"`: training and inference on the tfjs backend `device` chooses. */
export const tfjsBackendPlugin = definePlugin<Backend, TfjsBackendConfig>({
  slot: BACKEND,
  type: 'tfjs',
  schema: tfjsBackendSchema,
  create: (section, context) => new TfjsBackend(section, context.log),
});

/** Every plug-in of this package. */
export const plugins = [tfjsBackendPlugin];
