import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

export default defineConfig([
  // shims: import.meta.url in the CJS build (the demo finds the sample blocks beside the package)
  libraryConfig({ shims: true }),
  {
    // The executable: ESM only, with its shebang.
    entry: ['src/bin.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
