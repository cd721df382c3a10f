export { initTfjs, type InitTfjsOptions, type TfjsBackendName, type TfjsSelection } from './init-tfjs.js';
export { bridgeMissingCpuKernels } from './cpu-kernel-bridge.js';
export { tfjsBackendPlugin } from './tfjs-backend-plugin.js';
