export { initTfjs, type InitTfjsOptions, type TfjsBackendName, type TfjsDevice, type TfjsSelection } from './init-tfjs.js';
export { cgroupCpuQuota, cpuBudget } from './cpu-budget.js';
export { bridgeMissingCpuKernels } from './cpu-kernel-bridge.js';
export { plugins, tfjsBackendPlugin } from './tfjs-backend-plugin.js';
export { type TfjsBackendConfig, tfjsBackendSchema } from './tfjs-backend-schema.js';
export { BLAS_BACKEND, blasKernels, registerBlasBackend } from './blas-backend.js';
export { type BlasAddon, type BlasAddonInfo, type BlasAddonLoad, loadBlasAddon } from './blas-addon.js';
