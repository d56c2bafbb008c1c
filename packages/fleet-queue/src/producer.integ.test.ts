import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { syntheticSeries } from '@amf-foresight/core/testing';
import { forecastOutcome } from '@amf-foresight/orchestrator';
import type { ForecastJob, ForecastOutcome } from '@amf-foresight/orchestrator';
import { startRedis } from '@amf-foresight/test-servers';
import type { RedisServer } from '@amf-foresight/test-servers';
import { queueForecaster } from './producer.js';
import { parseQueueUrl } from './url.js';
import { runQueueWorker } from './worker.js';

// The library against a real redis-server on loopback: producer and worker in this process (from the
// sources the worker fits on this thread); the CLI's processes are tested in packages/cli.
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

function jobs(n: number): ForecastJob[] {
  return Array.from({ length: n }, (_, k) => {
    const s = syntheticSeries(600 + 7 * k);
    // Job 4 is too short for its model: a failure that is data, not a retry.
    const len = k === 4 ? 3 : s.y.length;
    return {
      ds: Float64Array.from(s.ds.slice(0, len)),
      y: Float64Array.from(s.y.slice(0, len), (v) => v * (1 + k / 10)),
      model: 'SNAIVE',
      params: { season: 24 },
      horizon: 12,
      levels: [80, 95],
    };
  });
}

describe('queueForecaster with runQueueWorker', () => {
  it('settles every job once with what a local fit gives, never holding more than maxQueued on the queue', async () => {
    const target = parseQueueUrl(`${redis.url}?queue=window`);
    const ac = new AbortController();
    const worker = runQueueWorker(target, { concurrency: 2, signal: ac.signal });
    const watch = new Queue(target.name, { connection: target.connection });
    let most = 0;
    const watching = { on: true };
    const watcher = (async () => {
      while (watching.on) {
        const c = await watch.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
        most = Math.max(
          most,
          Object.values(c).reduce((a, b) => a + b, 0),
        );
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const js = jobs(10);
    const settled: number[] = [];
    const lines: string[] = [];
    const got = await queueForecaster(target, { maxQueued: 3, pollMs: 20 }).forecastAll(js, {
      onSettled: (k) => settled.push(k),
      log: (m) => lines.push(m),
    });
    watching.on = false;
    await watcher;
    ac.abort();
    expect(await worker).toMatchObject({ completed: 10, failedAttempts: 0 });
    await watch.close();

    const want: ForecastOutcome[] = await Promise.all(js.map((j) => forecastOutcome(j)));
    expect(got).toEqual(want);
    expect(got[4]).toMatchObject({ failed: { code: expect.any(String) as unknown } });
    expect(settled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
    expect(lines[0]).toMatch(
      /^queue: 10 jobs fleet-\S+-0…9 on redis:\/\/127\.0\.0\.1:\d+\/0 \(queue window\), at most 3/,
    );
    expect(redis.cli('--scan', '--pattern', 'bull:window:fleet-*')).toBe('');
  }, 120_000);

  it('a cancelled run takes its waiting jobs back off the queue', async () => {
    const target = parseQueueUrl(`${redis.url}?queue=cancel`);
    const ac = new AbortController();
    const run = queueForecaster(target, { pollMs: 20 }).forecastAll(jobs(6), {
      signal: ac.signal,
      log: (m) => {
        if (m.startsWith('queue: 6 jobs')) ac.abort(new Error('cancelled'));
      },
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(redis.cli('--scan', '--pattern', 'bull:cancel:fleet-*')).toBe('');
  }, 60_000);
});
