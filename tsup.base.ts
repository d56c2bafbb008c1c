import type { Options } from 'tsup';

/** The build every library package shares: ESM + CJS + .d.ts for node 20, from src/index.ts. */
export function libraryConfig(extra: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...extra,
  };
}
