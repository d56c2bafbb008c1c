import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// shims: import.meta.url in the CJS build (run.json reads the installed packages' versions)
export default defineConfig(libraryConfig({ shims: true, entry: ['src/index.ts', 'src/fleet-worker.ts'] }));
