import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

export default defineConfig([
  libraryConfig(),
  {
    // The executable: ESM only, with its shebang.
    entry: ['src/bin.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
