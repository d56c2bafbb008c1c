import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

// shims: import.meta.url in the CJS build (the worker resolves the arima package from here)
export default defineConfig(libraryConfig({ shims: true }));
