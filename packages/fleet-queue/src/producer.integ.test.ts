import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { standaloneContext } from '@amf-foresight/core';
import { runFleet, sourceStage } from '@amf-foresight/orchestrator';
import type { FleetOptions, SourceSpec } from '@amf-foresight/orchestrator';
import { REPO_ROOT, startRedis } from '@amf-foresight/test-servers';
import type { RedisServer } from '@amf-foresight/test-servers';
import { queuedFleetStage } from './stage.js';
import { parseQueueUrl } from './url.js';
import { runQueueWorker } from './worker.js';

// The library against a real redis-server on loopback: producer and worker in this process (from the
// sources the worker fits on this thread); the CLI's processes are tested in packages/cli.
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const source: Extract<SourceSpec, { kind: 'local' }> = {
  kind: 'local',
  dataDir: SAMPLE,
  start: Date.UTC(2023, 5, 8),
  end: Date.UTC(2023, 5, 9, 23, 59),
  matchers: '{__name__=~"container_cpu_usage_seconds_total|container_spec_cpu_quota|container_spec_cpu_period"}',
};
const fleet: FleetOptions = { levels: ['amf', 'upperlimit'], metrics: ['cpu'], periodMs: 86_400_000, workers: 0 };
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe('queuedFleetStage with runQueueWorker', () => {
  it('gives runFleet’s entries, never holding more than maxQueued jobs on the queue', async () => {
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
    const lines: string[] = [];
    const logger = { debug() {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error() {} };
    const stage = queuedFleetStage({
      target,
      source,
      readBefore: 300_000,
      fleet,
      producer: { maxQueued: 2, pollMs: 20 },
    });
    const got = await stage.run(undefined, standaloneContext({ logger }));
    watching.on = false;
    await watcher;
    ac.abort();
    expect(await worker).toMatchObject({ completed: 4, failedAttempts: 0, clean: true });
    await watch.close();

    const samples = await (await sourceStage(source, 300_000)).run(undefined, standaloneContext());
    const want = await runFleet(samples, fleet, standaloneContext());
    expect(got.entries.length).toBe(8);
    expect(got).toEqual({ ...want, queue: target.display });
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    const key = /fleet-\S+-0/.exec(lines.join('\n'))![0];
    expect(lines).toContain(`queue: 4 jobs ${key}…3 on ${target.display}, at most 2 on the queue at a time`);
    expect(redis.cli('--scan', '--pattern', 'bull:window:fleet-*')).toBe('');
  }, 180_000);

  it('a cancelled run takes its waiting jobs back off the queue', async () => {
    const target = parseQueueUrl(`${redis.url}?queue=cancel`);
    const ac = new AbortController();
    const logger = {
      debug() {},
      info: (m: string) => {
        if (m.startsWith('queue: 4 jobs')) ac.abort(new Error('cancelled'));
      },
      warn() {},
      error() {},
    };
    const stage = queuedFleetStage({ target, source, readBefore: 300_000, fleet, producer: { pollMs: 20 } });
    await expect(stage.run(undefined, standaloneContext({ logger, signal: ac.signal }))).rejects.toThrow('cancelled');
    expect(redis.cli('--scan', '--pattern', 'bull:cancel:fleet-*')).toBe('');
  }, 60_000);
});
