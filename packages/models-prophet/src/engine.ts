import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { optimizeInWorker } from './stan-worker.js';

export type AugursProphet = typeof import('@bsull/augurs/prophet');

/** What the Stan optimiser returned, as Prophet's Python code would read it back. */
export interface StanFit {
  k: number;
  m: number;
  delta: number[];
  beta: number[];
  sigmaObs: number;
  /** Number of changepoints the model saw (Python passes one dummy at t = 0 when there are none). */
  S: number;
  algorithm: string;
}

interface WasmstanOptimizer {
  optimize(
    init: unknown,
    data: string,
    opts: Record<string, unknown>,
  ): {
    params: { k: number; m: number; delta: Float64Array; beta: Float64Array; sigmaObs: number };
    logs: Record<string, string>;
  };
}

let loaded: { prophet: AugursProphet; optimizer: WasmstanOptimizer } | undefined;

/**
 * augurs' Prophet bindings, read from the package's file (Node's fetch cannot load file: URLs,
 * so augurs gets the bytes through initSync), and an optimiser that runs the WebAssembly build
 * of Prophet's Stan model in a guarded worker thread (stan-worker.ts); the time limit grows
 * with the data (one minute plus 2 ms per data value).
 */
export async function loadEngine(): Promise<{ prophet: AugursProphet; optimizer: WasmstanOptimizer }> {
  if (loaded) return loaded;
  const prophet = await import('@bsull/augurs/prophet');
  const require = createRequire(import.meta.url);
  prophet.initSync({
    module: readFileSync(join(dirname(require.resolve('@bsull/augurs/prophet')), 'prophet_bg.wasm')),
  });
  const optimizer: WasmstanOptimizer = {
    optimize: (init, data, opts) => optimizeInWorker(init, data, opts, 60_000 + data.length / 10),
  };
  loaded = { prophet, optimizer };
  return loaded;
}

/** Rounds to 6 significant digits, as CmdStan's CSV output does before Python Prophet reads the fit. */
export function round6(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(6));
}

/**
 * An optimiser for augurs that calls the Stan model and keeps what it returned. With `round`,
 * the parameters are rounded as Python Prophet sees them (docs/PROPHET_MODEL.md §7.6, finding 3).
 */
export function recordingOptimizer(
  inner: WasmstanOptimizer,
  round: boolean,
): { optimizer: WasmstanOptimizer; last: () => StanFit | undefined } {
  let fit: StanFit | undefined;
  const optimizer: WasmstanOptimizer = {
    optimize(init, data, opts) {
      const out = inner.optimize(init, data, opts);
      const p = out.params;
      if (round) {
        p.k = round6(p.k);
        p.m = round6(p.m);
        p.sigmaObs = round6(p.sigmaObs);
        p.delta = p.delta.map(round6);
        p.beta = p.beta.map(round6);
      }
      // Only S is needed from the (large) JSON data: read it without parsing the whole document.
      const S = Number(/"S":\s*(\d+)/.exec(data)?.[1] ?? NaN);
      fit = {
        k: p.k,
        m: p.m,
        delta: Array.from(p.delta),
        beta: Array.from(p.beta),
        sigmaObs: p.sigmaObs,
        S,
        algorithm: typeof opts['algorithm'] === 'string' ? opts['algorithm'] : 'lbfgs',
      };
      return out;
    },
  };
  return { optimizer, last: () => fit };
}
