import { availableParallelism } from 'node:os';
import { Worker } from 'bullmq';
import type { GuardedWorker } from '@amf-foresight/core';
import { fleetThread, forecastOn, poolSize } from '@amf-foresight/orchestrator';
import type { ForecastOutcome } from '@amf-foresight/orchestrator';
import { fromPayload } from './payload.js';
import type { JobPayload } from './payload.js';
import type { QueueTarget } from './url.js';

export interface QueueWorkerOptions {
  /** Jobs at a time, each on its own thread (default: the cores, at most 4). */
  concurrency?: number;
  /**
   * A job's lock (default 30 s, renewed every half of it while the job runs): a worker that died
   * loses its jobs to another after at most about twice this.
   */
  lockMs?: number;
  /** Aborting it stops taking jobs and ends when the active ones are done. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface WorkerSummary {
  completed: number;
  /** Attempts that threw (a crashed fit thread, a job that is not ours): the queue retries them. */
  failedAttempts: number;
}

/**
 * Takes fleet jobs off the queue until the signal is aborted, then finishes its active jobs and
 * returns. Each job runs on a fleet thread (crashes and hangs stay there); its forecast, or a model's
 * failure as data, is the job's result, stored once by BullMQ whichever worker finishes it. A thrown
 * attempt (a crashed thread, a payload that is not a fleet job) is retried by the queue.
 */
export async function runQueueWorker(target: QueueTarget, o: QueueWorkerOptions = {}): Promise<WorkerSummary> {
  const log = o.log ?? (() => undefined);
  const concurrency = o.concurrency ?? Math.min(4, availableParallelism());
  const lockMs = o.lockMs ?? 30_000;
  // From the built package the fits run on threads; from sources (no built worker module) in this one.
  const free: (GuardedWorker | undefined)[] = Array.from({ length: concurrency }, () =>
    poolSize(1) > 0 ? fleetThread() : undefined,
  );
  const threads = [...free];
  const summary: WorkerSummary = { completed: 0, failedAttempts: 0 };
  let lastError = '';
  const worker = new Worker<JobPayload, ForecastOutcome>(
    target.name,
    async (job) => {
      const { job: fj, label } = fromPayload(job.data);
      const t0 = Date.now();
      log(`worker: ${label}: started (job ${job.id}, attempt ${job.attemptsStarted})`);
      const thread = free.pop();
      try {
        const out = await forecastOn(thread, fj);
        log(`worker: ${label}: ${'failed' in out ? out.failed.code : 'forecast'} in ${Date.now() - t0} ms`);
        return out;
      } finally {
        free.push(thread);
      }
    },
    {
      connection: { ...target.connection, maxRetriesPerRequest: null },
      concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 1,
      autorun: false,
    },
  );
  worker.on('completed', () => {
    summary.completed++;
    if (lastError) log('worker: connected again');
    lastError = '';
  });
  worker.on('failed', (job, e) => {
    summary.failedAttempts++;
    log(`worker: job ${job?.id ?? '?'} attempt failed: ${e.message}`);
  });
  worker.on('error', (e) => {
    if (/Missing lock/.test(e.message)) {
      log(`worker: ${e.message}: its lock expired (Redis away, or this worker stalled); the queue runs it again`);
      return;
    }
    // Redis away: ioredis reconnects; say so once per kind of error, not per retry.
    if (e.message !== lastError) log(`worker: ${e.message} (reconnecting)`);
    lastError = e.message;
  });
  log(`worker: taking jobs from ${target.display}, ${concurrency} at a time`);
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  log('worker: stopping: finishing the active jobs (again to stop at once: they return to the queue)');
  await worker.close();
  await running;
  await Promise.all(threads.flatMap((t) => (t ? [t.stop()] : [])));
  log(`worker: stopped; ${summary.completed} jobs done, ${summary.failedAttempts} attempts failed`);
  return summary;
}
