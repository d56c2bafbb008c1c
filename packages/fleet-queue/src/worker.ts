import { availableParallelism } from 'node:os';
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { isAmfError, sleep, standaloneContext, withTimeout } from '@amf-foresight/core';
import type { GuardedWorker, Samples } from '@amf-foresight/core';
import { fleetThread, forecastOn, poolSize, sourceStage, workloadEntries } from '@amf-foresight/orchestrator';
import { encodeResult, fromPayload } from './payload.js';
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
  /** Where index headers of S3 blocks read in place are kept between jobs (default: not kept). */
  indexHeaderDir?: string;
  /** Aborting it stops taking jobs and ends when the active ones are done. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface WorkerSummary {
  completed: number;
  /**
   * False when the queue did not take the last jobs back (a Redis that lost them) and the worker
   * disconnected without BullMQ's close: the process may hold handles, and should exit.
   */
  clean: boolean;
  /** Attempts that threw (the source unreachable, a crashed fit thread, a job that is not ours): retried. */
  failedAttempts: number;
}

/**
 * Takes fleet jobs off the queue until the signal is aborted, then finishes its active jobs and
 * returns. A job is a workload: its samples are read from the source the job names (this process
 * needs access to it, and its own credentials), its series fitted on a fleet thread (crashes and
 * hangs stay there) and recommended; the workload's entries are the job's result, stored once by
 * BullMQ whichever worker finishes it. An attempt that throws (the source unreachable, a crashed
 * thread, a job that is not ours) is retried by the queue.
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
  const summary: WorkerSummary = { completed: 0, failedAttempts: 0, clean: true };
  let active = 0;
  const work = async (job: Job<JobPayload>): Promise<string> => {
    const p = fromPayload(job.data);
    const t0 = Date.now();
    log(`worker: ${p.label}: started (job ${job.id}, attempt ${job.attemptsStarted})`);
    const samples = await readWorkload(p, o.indexHeaderDir);
    const thread = free.pop();
    try {
      const entries = samples
        ? await workloadEntries(samples, p.workload, p.options, (fj) => forecastOn(thread, fj))
        : [];
      const failed = entries.filter((e) => e.error).length;
      log(
        `worker: ${p.label}: ${entries.length} series${failed ? ` (${failed} failed)` : ''} in ${Date.now() - t0} ms`,
      );
      return encodeResult(entries);
    } finally {
      free.push(thread);
    }
  };
  const worker = new Worker<JobPayload, string>(
    target.name,
    async (job) => {
      active++;
      try {
        return await work(job);
      } finally {
        active--;
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
  watch(worker, summary, log);
  log(`worker: taking jobs from ${target.display}, ${concurrency} at a time`);
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  log('worker: stopping: finishing the active jobs (again to stop at once: they return to the queue)');
  const closed = Promise.all([worker.close(), running]).catch((e: unknown) => log(`worker: closing: ${String(e)}`));
  while (active > 0) await sleep(100);
  // Our jobs are done and BullMQ hands them back to Redis; a Redis that lost them (restarted without
  // persistence) may never take them: the worker does not wait for that for ever.
  if (
    !(await withTimeout(closed, SETTLE_MS).then(
      () => true,
      () => false,
    ))
  ) {
    log(`worker: the queue did not take the finished jobs back within ${SETTLE_MS / 1000} s: disconnecting`);
    await withTimeout(worker.disconnect(), 2000).catch(() => undefined);
    summary.clean = false;
  }
  await Promise.all(threads.flatMap((t) => (t ? [t.stop()] : [])));
  log(`worker: stopped; ${summary.completed} jobs done, ${summary.failedAttempts} attempts failed`);
  return summary;
}

/** How long a stopping worker waits for the queue to take its finished jobs back. */
const SETTLE_MS = 10_000;

/** The worker's events as log lines and counts: Redis going away is said once per kind of error. */
function watch(worker: Worker, summary: WorkerSummary, log: (m: string) => void): void {
  let lastError = '';
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
    if (e.message !== lastError) log(`worker: ${e.message} (reconnecting)`);
    lastError = e.message;
  });
}

/**
 * The workload's samples from the job's source (undefined when it has none in the window: a
 * workload whose series straddle it, listed by the producer from the indexes, has no entries).
 */
async function readWorkload(p: JobPayload, indexHeaderDir: string | undefined): Promise<Samples | undefined> {
  const spec = p.source.kind === 's3-inplace' && indexHeaderDir ? { ...p.source, indexHeaderDir } : p.source;
  try {
    return await (await sourceStage(spec, p.readBefore)).run(undefined, standaloneContext());
  } catch (e) {
    if (isAmfError(e) && e.code === 'NO_SERIES_MATCHED') return undefined;
    throw e;
  }
}
