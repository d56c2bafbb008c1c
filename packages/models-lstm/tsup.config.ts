import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// shims: import.meta.url in the CJS build (the wasm backend's files are found next to its package, the
// training helper thread next to this one). fused-worker is that helper's own entry (parallel.ts).
export default defineConfig(libraryConfig({ shims: true, entry: ['src/index.ts', 'src/fused-worker.ts'] }));
