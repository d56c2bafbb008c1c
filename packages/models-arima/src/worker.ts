import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { GuardedWorker } from '@amf-foresight/core';

/**
 * The `arima` package (ctsa compiled with emscripten) runs in guarded worker threads: a series
 * that overflows its 64 KB wasm stack crashes the module and poisons every later fit in the
 * same instance, so a crash takes down only the worker, and the next fit starts a fresh one.
 * The worker is plain JavaScript so that it runs the same from sources and from the build.
 */
const WORKER_SOURCE = `
// ctsa prints to stdout even with verbose: false; keep it out of ours.
console.log = () => {};
process.stdout.write = () => true;
// The package's own loader, by file path, so that the emscripten module (its heap) is ours too.
const dir = require('node:path').dirname(workerData.data.arimaPath);
const mod = require(dir + '/wasm/native-sync.js')({ wasmBinary: require(dir + '/wrapper/native.bin.js') });
const ARIMA = require(dir + '/load.js')(mod);
// The package's handle points at ctsa's struct sarimax_set; on wasm32 that struct holds 14 ints,
// then pointers phi @56, theta @60, and the doubles mean @88, var @96, loglik @104, aic @112.
function fitted(handle, p, q) {
  const i32 = mod.HEAP32, f64 = mod.HEAPF64;
  const ptr = i32[handle >> 2];
  const phiAt = i32[(ptr + 56) >> 2], thetaAt = i32[(ptr + 60) >> 2];
  const read = (at, n) => Array.from({ length: n }, (_, k) => f64[(at >> 3) + k]);
  if (i32[(ptr + 16) >> 2] !== p || i32[(ptr + 24) >> 2] !== q) return undefined; // layout check
  const at = (offset) => f64[(ptr + offset) >> 3];
  return { phi: read(phiAt, p), theta: read(thetaAt, q), mean: at(88), sigma2: at(96), loglik: at(104), aic: at(112) };
}
serve((job) => {
  const order = { p: job.p, d: job.d, q: job.q, P: 0, D: job.D, Q: 0, s: job.s };
  const m = new ARIMA({ ...order, method: 1, optimizer: 5, verbose: false });
  m.train(Array.from(job.y));
  const coef = fitted(m.model, job.p, job.q);
  const [mean, variance] = m.predict(job.h);
  m.destroy(); // not after a failure: the worker holding a crashed module is replaced instead
  return { mean, variance, coef };
});
`;

export interface ArimaJob {
  y: Float64Array;
  p: number;
  d: number;
  q: number;
  /** Seasonal differencing (D = 1 at period s) or none (D = 0). */
  D: number;
  s: number;
  h: number;
}

/**
 * The fitted model as ctsa holds it: AR and MA coefficients (ctsa's MA sign is the opposite of
 * statsmodels'), the constant, innovation variance, log-likelihood and AIC. Undefined if the
 * struct did not look as expected (another package version).
 */
export interface ArimaCoefficients {
  phi: number[];
  theta: number[];
  mean: number;
  sigma2: number;
  loglik: number;
  aic: number;
}

export interface ArimaResult {
  mean: number[];
  variance: number[];
  coef?: ArimaCoefficients | undefined;
}

const slots: GuardedWorker[] = [];
let poolSize = Math.max(1, Math.min(2, availableParallelism()));

/** Sets how many worker threads run fits at once (default: the cores, at most 2). */
export function setArimaWorkers(n: number): void {
  poolSize = Math.max(1, Math.floor(n));
}

function newSlot(): GuardedWorker {
  return new GuardedWorker({
    source: WORKER_SOURCE,
    data: () => ({ arimaPath: createRequire(import.meta.url).resolve('arima') }),
    // A failed fit may have left the wasm module corrupted (stack overflow): start afresh.
    restartOnError: true,
    codes: { failed: 'ARIMA_FIT_FAILED', crashed: 'ARIMA_CRASHED' },
    what: 'the arima worker',
    hint: 'the fit crashed the arima module; it was restarted — use fewer points (maxPoints)',
  });
}

/** The least busy worker. */
function getSlot(): GuardedWorker {
  while (slots.length < poolSize) slots.push(newSlot());
  return slots.slice(0, poolSize).reduce((a, b) => (b.busy < a.busy ? b : a));
}

/** Fits one order and forecasts h steps: means and forecast-error variances. Fits run on a small pool of workers. */
export async function runArima(job: ArimaJob, signal?: AbortSignal): Promise<ArimaResult> {
  // A cancelled run replaces the worker at once (GuardedWorker.call) and rejects with its reason.
  return (await getSlot().call(job, signal ? { signal } : {})) as ArimaResult;
}

/** How many times a worker had to be replaced (for tests and logs). */
export function workerRestarts(): number {
  return slots.reduce((a, w) => a + w.restarts, 0);
}

export async function stopArimaWorker(): Promise<void> {
  await Promise.all(slots.map((w) => w.stop()));
}
