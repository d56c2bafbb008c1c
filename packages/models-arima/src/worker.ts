import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AmfError } from '@amf-foresight/core';

/**
 * The `arima` package (ctsa compiled with emscripten) runs in a worker thread: a series
 * that overflows its 64 KB wasm stack crashes the module and poisons every later fit in the
 * same instance, so a crash takes down only the worker, and the next fit starts a fresh one.
 * The worker is plain JavaScript so that it runs the same from sources and from the build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// ctsa prints to stdout even with verbose: false; keep it out of ours.
console.log = () => {};
process.stdout.write = () => true;
// The package's own loader, by file path, so that the emscripten module (its heap) is ours too.
const dir = require('node:path').dirname(workerData.arimaPath);
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
parentPort.on('message', (job) => {
  try {
    const order = { p: job.p, d: job.d, q: job.q, P: 0, D: job.D, Q: 0, s: job.s };
    const m = new ARIMA({ ...order, method: 1, optimizer: 5, verbose: false });
    m.train(Array.from(job.y));
    const coef = fitted(m.model, job.p, job.q);
    const [mean, variance] = m.predict(job.h);
    m.destroy();
    parentPort.postMessage({ id: job.id, mean, variance, coef });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e && e.message || e) });
  }
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

interface Pending {
  resolve: (r: ArimaResult) => void;
  reject: (e: Error) => void;
}

/** One worker thread and the jobs it has been given. */
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

let slots: (Slot | undefined)[] = [];
let poolSize = Math.max(1, Math.min(2, availableParallelism()));
let nextId = 1;
let restarts = 0;

/** Sets how many worker threads run fits at once (default: the cores, at most 2). */
export function setArimaWorkers(n: number): void {
  poolSize = Math.max(1, Math.floor(n));
}

function failAll(slot: Slot, message: string): void {
  for (const [, p] of slot.pending)
    p.reject(
      new AmfError('ARIMA_CRASHED', message, {
        hint: 'the fit crashed the arima module; it was restarted — use fewer points (maxPoints)',
      }),
    );
  slot.pending.clear();
}

function retire(i: number, slot: Slot): void {
  if (slots[i] === slot) slots[i] = undefined;
}

function startSlot(i: number): Slot {
  const require = createRequire(import.meta.url);
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { arimaPath: require.resolve('arima') } });
  w.unref();
  const slot: Slot = { worker: w, pending: new Map() };
  w.on(
    'message',
    (msg: { id: number; mean?: number[]; variance?: number[]; coef?: ArimaCoefficients; error?: string }) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (msg.error !== undefined) {
        // A failed fit may have left the wasm module corrupted (stack overflow): start afresh.
        retire(i, slot);
        restarts++;
        void w.terminate();
        p.reject(new AmfError('ARIMA_FIT_FAILED', `arima: ${msg.error}`));
        failAll(slot, 'the arima worker was restarted after a failed fit');
        return;
      }
      p.resolve({ mean: msg.mean!, variance: msg.variance!, coef: msg.coef });
      if (slot.pending.size === 0) w.unref();
    },
  );
  w.on('error', (e) => {
    retire(i, slot);
    restarts++;
    failAll(slot, `the arima worker crashed: ${e.message}`);
  });
  w.on('exit', (code) => {
    retire(i, slot);
    if (slot.pending.size > 0 && code !== 1) {
      restarts++;
      failAll(slot, `the arima worker exited with code ${code}`);
    }
  });
  slots[i] = slot;
  return slot;
}

/** The least busy worker, started if needed. */
function getSlot(): Slot {
  let best: Slot | undefined;
  for (let i = 0; i < poolSize; i++) {
    const s = slots[i] ?? startSlot(i);
    if (!best || s.pending.size < best.pending.size) best = s;
    if (s.pending.size === 0) break;
  }
  return best!;
}

/** Fits one order and forecasts h steps: means and forecast-error variances. Fits run on a small pool of workers. */
export function runArima(job: ArimaJob): Promise<ArimaResult> {
  const slot = getSlot();
  slot.worker.ref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.postMessage({ id, ...job });
  });
}

/** How many times a worker had to be replaced (for tests and logs). */
export function workerRestarts(): number {
  return restarts;
}

export async function stopArimaWorker(): Promise<void> {
  const all = slots.filter((s): s is Slot => s !== undefined);
  slots = [];
  await Promise.all(all.map((s) => s.worker.terminate()));
}
