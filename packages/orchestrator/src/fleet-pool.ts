import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GuardedWorker } from '@amf-foresight/core';
import { forecastOutcome } from './fleet-forecast.js';
import type { ForecastJob, ForecastOutcome } from './fleet-forecast.js';

const WORKER_SOURCE = `
import(workerData.data.url).then(
  (m) => serve((job) => m.handle(job)),
  (e) => failed(new Error('cannot load the fleet worker: ' + message(e))),
);
`;

/** The worker module beside this one in the built package; from sources (tests) there is none. */
const WORKER_URL = new URL('./fleet-worker.js', import.meta.url);

export interface PoolOptions {
  /** Worker threads (default: the cores, at most 4); 0 runs every job in this thread. */
  workers?: number;
  signal?: AbortSignal;
  /** Called as each job settles, in the order they finish. */
  onSettled?: (index: number, outcome: ForecastOutcome) => void;
}

/** How many worker threads a pool starts, and whether it can: the built worker module must exist. */
export function poolSize(requested?: number): number {
  const n = requested ?? Math.min(4, availableParallelism());
  return n > 0 && existsSync(fileURLToPath(WORKER_URL)) ? n : 0;
}

/** A worker thread for fleet jobs (the built fleet-worker module), started on its first job, replaced after a crash. */
export function fleetThread(): GuardedWorker {
  return new GuardedWorker({
    source: WORKER_SOURCE,
    data: () => ({ url: WORKER_URL.href }),
    codes: { failed: 'FLEET_FIT_FAILED', crashed: 'FLEET_WORKER_CRASHED' },
    what: 'a fleet worker',
  });
}

/**
 * One job on a fleet thread, or in this thread without one: its forecast, or why it failed as data
 * (a model that cannot fit). A thread that crashed or threw rejects: the caller decides whether that
 * fails the job (forecastAll) or retries it (a queue worker).
 */
export async function forecastOn(
  w: GuardedWorker | undefined,
  job: ForecastJob,
  signal?: AbortSignal,
): Promise<ForecastOutcome> {
  return w ? ((await w.call(job, signal ? { signal } : {})) as ForecastOutcome) : forecastOutcome(job, signal);
}

/**
 * Runs every job on a pool of worker threads, one job per worker at a time, and returns each job's
 * forecast or why it failed (a failed job does not stop the others). A cancelled signal ends the
 * workers at once. A crashed worker fails its job only; the next job starts a fresh one.
 */
export async function forecastAll(jobs: readonly ForecastJob[], o: PoolOptions = {}): Promise<ForecastOutcome[]> {
  const out: ForecastOutcome[] = new Array<ForecastOutcome>(jobs.length);
  const size = Math.min(poolSize(o.workers), jobs.length);
  const workers = Array.from({ length: size }, fleetThread);
  let next = 0;
  const run = async (w: GuardedWorker | undefined) => {
    while (next < jobs.length) {
      o.signal?.throwIfAborted();
      const k = next++;
      try {
        out[k] = await forecastOn(w, jobs[k]!, o.signal);
      } catch (e) {
        o.signal?.throwIfAborted();
        if (!w) throw e; // a bug of ours in this thread
        // A worker that crashed or threw (our bug there): that job fails, the others go on.
        out[k] = { failed: { code: 'FLEET_WORKER_FAILED', message: e instanceof Error ? e.message : String(e) } };
      }
      o.onSettled?.(k, out[k]);
    }
  };
  try {
    await Promise.all(size > 0 ? workers.map(run) : [run(undefined)]);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  return out;
}
