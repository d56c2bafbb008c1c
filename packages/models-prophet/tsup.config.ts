import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// shims: import.meta.url in the CJS build (the augurs wasm is read from its package directory)
export default defineConfig(libraryConfig({ shims: true }));
