import { clipkitVitestConfig } from '../vitest.shared.js';

export default clipkitVitestConfig(['**/*.test.ts'], 300_000);
