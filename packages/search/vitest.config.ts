import { clipkitVitestConfig } from '../../vitest.shared.js';

export default clipkitVitestConfig(['src/**/*.test.ts']);
