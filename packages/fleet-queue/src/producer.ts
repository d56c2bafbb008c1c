import { randomBytes } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { AmfError, sleep, withTimeout } from '@amf-foresight/core';
import type { FleetEntry } from '@amf-foresight/orchestrator';
import { decodeResult } from './payload.js';
import type { JobPayload } from './payload.js';
import type { QueueTarget } from './url.js';

export interface ProducerOptions {
  /** Tries per job before it is reported failed (default 3; backoff 1 s, 2 s, …). */
  attempts?: number;
  /** How often the producer looks at its pending jobs (default 500 ms). */
  pollMs?: number;
  /** Redis not answering this long fails the run (default 60 s). */
  unreachableMs?: number;
  /** How often progress is logged while waiting (default 10 s). */
  reportMs?: number;
  /**
   * Unsettled jobs on the queue at a time (default 200 workloads): bounds what Redis holds, a job's
   * payload (≈ 1 KB) and its result until collected (≈ 0.5 MB a series of a week's forecast).
   */
  maxQueued?: number;
}

const DEFAULT_MAX_QUEUED = 200;

/** Jobs whose state is asked for in one poll (a state is one small Lua call). */
const POLL_BATCH = 500;

/** A workload's job, settled: its entries, or why it failed for good. */
export type JobOutcome = { entries: FleetEntry[] } | { failed: { code: string; message: string } };

/**
 * Runs jobs on a BullMQ queue and waits for them: id `<run key>-<index>`, so a job added twice is
 * one job; at most `maxQueued` unsettled at a time; the producer polls its jobs' states until each
 * has completed or failed for good, settling each once (and removing it from Redis). Retries, backoff
 * and recovery of a job whose worker died (its lock expired) are BullMQ's. Redis unreachable for
 * `unreachableMs` fails the run with one line; a job gone from Redis (a restart without
 * persistence) too: never a silently partial run.
 */
export function runJobs(
  target: QueueTarget,
  jobs: readonly JobPayload[],
  o: ProducerOptions & {
    signal?: AbortSignal;
    log?: (m: string) => void;
    onSettled?: (k: number, out: JobOutcome) => void;
  } = {},
): Promise<JobOutcome[]> {
  return new Producer(target, o, o.log).run(jobs, o.signal, o.onSettled);
}

class Producer {
  private readonly queue: Queue;
  private readonly key = `fleet-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private lastContact = Date.now();
  private lastError = '';

  constructor(
    private readonly target: QueueTarget,
    private readonly o: ProducerOptions,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    // Commands fail fast while Redis is away (this side retries them, within unreachableMs).
    this.queue = new Queue(target.name, { connection: { ...target.connection, maxRetriesPerRequest: 1 } });
    this.queue.on('error', (e) => {
      this.lastError = e.message; // a connection's error: said when its commands fail for good
    });
  }

  async run(
    jobs: readonly JobPayload[],
    signal: AbortSignal | undefined,
    onSettled: ((k: number, out: JobOutcome) => void) | undefined,
  ): Promise<JobOutcome[]> {
    const out = new Array<JobOutcome>(jobs.length);
    const add = (from: number, to: number) => this.enqueue(jobs, from, to, signal);
    try {
      await this.collect(jobs.length, add, signal, (k, v) => {
        out[k] = v;
        onSettled?.(k, v);
      });
      return out;
    } catch (e) {
      if (signal?.aborted) await this.withdraw(jobs.length, out);
      throw e;
    } finally {
      await this.queue.close().catch(() => undefined);
    }
  }

  private id(k: number): string {
    return `${this.key}-${k}`;
  }

  /** A Redis call, retried until it answers or Redis has been away for unreachableMs. */
  private async redis<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const limit = this.o.unreachableMs ?? 60_000;
    for (;;) {
      signal?.throwIfAborted();
      try {
        // A call may also hang (a connection that is not up yet waits): it gets what time is left.
        const v = await withTimeout(call(), limit - (Date.now() - this.lastContact));
        this.lastContact = Date.now();
        return v;
      } catch (e) {
        const away = Date.now() - this.lastContact;
        if (away >= limit)
          throw new AmfError(
            'QUEUE_UNREACHABLE',
            `Redis at ${this.target.display} did not answer for ${Math.round(away / 1000)} s (${what}): ` +
              `${this.lastError || (e instanceof Error ? e.message : String(e))}; the run is not written`,
            { hint: 'check that Redis is up and reachable, then run again (finished series are not kept)' },
          );
        await sleep(Math.min(1000, limit - away), signal);
      }
    }
  }

  /** Jobs from..to-1 onto the queue (ids fixed by index: adding one again after a failed call is a no-op). */
  private async enqueue(jobs: readonly JobPayload[], from: number, to: number, signal?: AbortSignal) {
    const attempts = this.o.attempts ?? 3;
    for (let s = from; s < to; s += 200) {
      const chunk = jobs.slice(s, Math.min(to, s + 200)).map((data, i) => ({
        name: 'workload',
        data,
        opts: { jobId: this.id(s + i), attempts, backoff: { type: 'exponential', delay: 1000 } },
      }));
      await this.redis('adding jobs', () => this.queue.addBulk(chunk), signal);
    }
  }

  /**
   * Keeps at most `maxQueued` unsettled jobs on the queue, adding more as they settle (Redis holds
   * a bounded part of the fleet's data whatever its size), and polls their states a batch at a
   * time until every job has settled.
   */
  private async collect(
    n: number,
    add: (from: number, to: number) => Promise<void>,
    signal: AbortSignal | undefined,
    settle: (k: number, v: JobOutcome) => void,
  ) {
    const window = Math.max(1, this.o.maxQueued ?? DEFAULT_MAX_QUEUED);
    const pending: number[] = [];
    let next = 0;
    const topUp = async () => {
      const to = Math.min(n, next + window - pending.length);
      if (to <= next) return;
      await add(next, to);
      for (; next < to; next++) pending.push(next);
    };
    await topUp();
    this.log(
      `queue: ${n} jobs ${this.key}-0…${n - 1} on ${this.target.display}` +
        (n > window ? `, at most ${window} on the queue at a time` : ''),
    );
    let lastReport = Date.now();
    let cursor = 0;
    while (pending.length > 0) {
      if (cursor >= pending.length) cursor = 0;
      const batch = pending.slice(cursor, cursor + POLL_BATCH);
      const states = await this.redis(
        'polling jobs',
        () => Promise.all(batch.map((k) => this.queue.getJobState(this.id(k)))),
        signal,
      );
      const done = new Set<number>();
      for (const [i, state] of states.entries()) {
        const k = batch[i]!;
        if (state === 'unknown')
          throw new AmfError(
            'QUEUE_JOBS_LOST',
            `job ${this.id(k)} is gone from ${this.target.display} (Redis restarted without persistence, or ` +
              'the queue was emptied); the run is not written',
            { hint: 'run Redis with appendonly yes (deploy/redis.yaml), then run again' },
          );
        if (state !== 'completed' && state !== 'failed') continue;
        settle(k, await this.finished(k, state, signal));
        done.add(k);
      }
      for (let i = pending.length - 1; i >= 0; i--) if (done.has(pending[i]!)) pending.splice(i, 1);
      cursor += batch.length - done.size;
      await topUp();
      if (Date.now() - lastReport >= (this.o.reportMs ?? 10_000)) {
        lastReport = Date.now();
        await this.report(n, n - next + pending.length);
      }
      if (pending.length > 0 && done.size === 0) await sleep(this.o.pollMs ?? 500, signal);
    }
  }

  private async finished(k: number, state: 'completed' | 'failed', signal?: AbortSignal): Promise<JobOutcome> {
    const job = await this.redis('reading a result', () => Job.fromId(this.queue, this.id(k)), signal);
    if (!job) throw new AmfError('QUEUE_JOBS_LOST', `job ${this.id(k)} vanished while it was read`);
    // Settled: the result is ours now; the job need not stay in Redis.
    await job.remove().catch(() => undefined);
    const entries = state === 'completed' ? decodeResult(job.returnvalue) : undefined;
    if (entries) return { entries };
    if (state === 'completed')
      return { failed: { code: 'QUEUE_BAD_RESULT', message: 'a worker returned something that is not a workload' } };
    return {
      failed: {
        code: 'FLEET_JOB_FAILED',
        message: `failed on the queue's workers after ${job.attemptsMade} attempt(s): ${job.failedReason}`,
      },
    };
  }

  private async report(n: number, left: number): Promise<void> {
    const c = await this.queue.getJobCounts('active', 'waiting', 'delayed').catch(() => undefined);
    const none =
      c && c['active'] === 0 && left > 0 ? '; no job is active: is a worker running (amf-foresight worker)?' : '';
    this.log(
      `queue: ${n - left} of ${n} workloads done` +
        (c ? `; on the queue ${c['active']} active, ${c['waiting']} waiting, ${c['delayed']} to retry` : '') +
        none,
    );
  }

  /** A cancelled run takes back its jobs that have not started (best effort: Redis may be the reason). */
  private async withdraw(n: number, out: JobOutcome[]): Promise<void> {
    const left = Array.from({ length: n }, (_, k) => k).filter((k) => out[k] === undefined);
    await Promise.all(left.map((k) => this.queue.remove(this.id(k)).catch(() => 0))).catch(() => undefined);
  }
}
