import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { optimizeInWorker } from './stan-worker.js';
import type { StanOutput } from './stan-worker.js';

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
  optimize(init: unknown, data: string, opts: Record<string, unknown>): StanOutput;
}

let loaded: AugursProphet | undefined;

/**
 * augurs' Prophet bindings, read from the package's file (Node's fetch cannot load file: URLs,
 * so augurs gets the bytes through initSync).
 */
export async function loadEngine(): Promise<AugursProphet> {
  if (loaded) return loaded;
  const prophet = await import('@bsull/augurs/prophet');
  const require = createRequire(import.meta.url);
  prophet.initSync({
    module: readFileSync(join(dirname(require.resolve('@bsull/augurs/prophet')), 'prophet_bg.wasm')),
  });
  loaded = prophet;
  return loaded;
}

/**
 * The result of job `data` for job `again`, which differs only in the order of its regressor
 * columns: augurs keeps seasonalities in a Rust HashMap, whose order is random per model. Each
 * column of X is matched by its values, and β permuted to match.
 */
function permuted(out: StanOutput, data: string, again: string): StanOutput {
  const a = JSON.parse(data) as { X: number[][] };
  const b = JSON.parse(again) as { X: number[][] };
  const key = (X: number[][], j: number) => X.map((row) => row[j]).join(',');
  const K = a.X[0]?.length ?? 0;
  const columns = new Map<string, number>();
  for (let j = 0; j < K; j++) columns.set(key(a.X, j), j);
  const beta = Float64Array.from({ length: K }, (_, j) => {
    const from = columns.get(key(b.X, j));
    if (from === undefined) throw new Error('augurs asked for a different Stan job the second time');
    return out.params.beta[from]!;
  });
  return { ...out, params: { ...out.params, beta } };
}

/** Thrown by `capturing` to leave augurs' fit once it has said what to optimise. */
const CAPTURED = new Error('the Stan job was captured');

/**
 * The fit in three steps, because augurs calls its optimiser synchronously and a synchronous wait
 * would block Ctrl-C: `fitOnce(capturing)` runs augurs up to the optimiser call and records the job;
 * the job runs in the Stan worker, awaited (cancellable, time-limited: one minute plus 2 ms per data
 * value); `fitOnce(replaying)` runs augurs again and hands it that result for the same job.
 */
export async function optimiseAsync(
  fitOnce: (optimizer: WasmstanOptimizer) => void,
  signal?: AbortSignal,
): Promise<void> {
  let job: { init: unknown; data: string; opts: Record<string, unknown> } | undefined;
  try {
    fitOnce({
      optimize(init, data, opts) {
        job = { init, data, opts };
        throw CAPTURED;
      },
    });
  } catch (e) {
    if (!job) throw e;
  }
  const { init, data, opts } = job!;
  const out = await optimizeInWorker(init, data, opts, 60_000 + data.length / 10, signal);
  fitOnce({
    optimize(_init, again) {
      return again === data ? out : permuted(out, data, again);
    },
  });
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
