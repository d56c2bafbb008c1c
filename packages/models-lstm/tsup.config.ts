import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// shims: import.meta.url in the CJS build (the wasm backend's files are found next to its package)
export default defineConfig(libraryConfig({ shims: true }));
