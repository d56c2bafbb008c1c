import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startRedis, tempDirs } from '@amf-foresight/test-servers';
import type { RedisServer } from '@amf-foresight/test-servers';

// `fleet --queue` and `worker` as users run them: the built CLI in separate processes, a real
// redis-server (Debian's) on loopback, with persistence on.
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const FLEET = ['fleet', '--local-path', SAMPLE, '--start', '2023-06-05 00:00:00', '--end', '2023-06-11 23:59:00'];
const dirs = tempDirs('amf-queue-');
let redis: RedisServer;
let baseline: string;

interface Summary {
  runDir: string;
  series: number;
  failed: { workload: string; level: string; metric: string; code: string; message: string }[];
}

/** A CLI process; its stderr collected, `waitFor` resolves when a line matches. */
function start(args: string[], cwd: string) {
  const p: ChildProcess = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => p.once('exit', (code) => res(code)));
  return {
    p,
    exited,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    waitFor: async (re: RegExp, ms = 60_000) => {
      for (const t0 = Date.now(); !re.test(err);) {
        if (Date.now() - t0 > ms) throw new Error(`no ${re} in:\n${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Worker processes, each ready (connected, taking jobs) when this resolves. */
async function workers(n: number, queue: string, cwd: string, extra: string[] = []) {
  const ws = Array.from({ length: n }, () =>
    start(['worker', '--queue', queue, '--lock-duration', '2s', ...extra], cwd),
  );
  await Promise.all(ws.map((w) => w.waitFor(/worker: taking jobs from/)));
  return ws;
}

/** A worker's line for a workload it finished. */
const DONE = /: \d+ series( \(\d+ failed\))? in \d+ ms/;

async function stopAll(ws: ReturnType<typeof start>[]) {
  for (const w of ws) if (w.p.exitCode === null && w.p.signalCode === null) w.p.kill('SIGTERM');
  return Promise.all(ws.map((w) => w.exited));
}

/** What a fleet run decides: the same bytes whatever ran its fits. */
function decisions(runDir: string) {
  const patches = join(runDir, 'patches');
  return {
    recommendations: readFileSync(join(runDir, 'recommendations.json'), 'utf8'),
    parquet: readFileSync(join(runDir, 'fleet.parquet')).toString('base64'),
    patches: readdirSync(patches).map((f) => [f, readFileSync(join(patches, f), 'utf8')]),
  };
}

beforeAll(async () => {
  redis = await startRedis({ persist: true });
  const cwd = dirs.make();
  const r = spawnSync(process.execPath, [BIN, ...FLEET, '--output', 'json', '--quiet'], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  baseline = join(cwd, (JSON.parse(r.stdout) as Summary).runDir);
}, 300_000);
afterAll(async () => {
  await redis.stop();
  dirs.cleanup();
});

describe('fleet --queue with amf-foresight worker processes on Redis', () => {
  it('a producer and three workers give the one-machine run’s results', async () => {
    const cwd = dirs.make();
    const queue = `${redis.url}?queue=three`;
    const ws = await workers(3, queue, cwd, ['--concurrency', '1']);
    const producer = start([...FLEET, '--queue', queue, '--output', 'json'], cwd);
    expect(await producer.exited, producer.err).toBe(0);
    const s = JSON.parse(producer.out) as Summary;
    expect([s.series, s.failed]).toEqual([24, []]);
    expect(decisions(join(cwd, s.runDir))).toEqual(decisions(baseline));
    expect(producer.err).toMatch(/on the workers of redis:\/\/127\.0\.0\.1:\d+\/0 \(queue three\)/);
    // Each worker took jobs, and stops on SIGTERM with exit 0 and a summary line.
    expect(await stopAll(ws)).toEqual([0, 0, 0]);
    for (const w of ws) expect(w.err).toMatch(/SIGTERM: taking no more jobs…[^]*worker: stopped; [1-9]\d* jobs done/);
    expect(redis.cli('--scan', '--pattern', 'bull:three:fleet-*')).toBe(''); // settled jobs are removed
  }, 240_000);

  it('a worker SIGKILLed mid-job: its jobs are retried by another; nothing lost, nothing twice', async () => {
    const cwd = dirs.make();
    const queue = `${redis.url}?queue=kill`;
    const [victim, ...rest] = await workers(2, queue, cwd);
    const producer = start([...FLEET, '--queue', queue, '--output', 'json'], cwd);
    await victim!.waitFor(/: started \(job /);
    victim!.p.kill('SIGKILL');
    expect(await producer.exited, producer.err).toBe(0);
    const s = JSON.parse(producer.out) as Summary;
    expect([s.series, s.failed]).toEqual([24, []]);
    expect(decisions(join(cwd, s.runDir))).toEqual(decisions(baseline));
    // The killed worker's job ran again on the survivor once its lock expired.
    expect(rest[0]!.err).toMatch(/attempt 2\)/);
    await stopAll(rest);
  }, 240_000);

  it('a worker SIGTERMed mid-job finishes that job, takes no more and exits 0; the others do the rest', async () => {
    const cwd = dirs.make();
    const queue = `${redis.url}?queue=term`;
    const [leaving, staying] = await workers(2, queue, cwd);
    const producer = start([...FLEET, '--queue', queue, '--output', 'json'], cwd);
    await leaving!.waitFor(/: started \(job /);
    leaving!.p.kill('SIGTERM');
    expect(await leaving!.exited).toBe(0);
    expect(await producer.exited, producer.err).toBe(0);
    const s = JSON.parse(producer.out) as Summary;
    expect([s.series, s.failed]).toEqual([24, []]);
    expect(decisions(join(cwd, s.runDir))).toEqual(decisions(baseline));
    // Every job it started it finished (none left to expire), and it took none after the signal.
    const log = leaving!.err;
    const after = log.slice(log.indexOf('SIGTERM'));
    expect(log.match(/: started \(job /g)!.length).toBe(log.match(new RegExp(DONE.source, 'g'))!.length);
    expect(after).not.toMatch(/: started \(job /);
    expect(staying!.err).not.toMatch(/attempt 2\)/);
    await stopAll([staying!]);
  }, 240_000);

  it('Redis restarted (with persistence) during a run: the run completes with the same results', async () => {
    const cwd = dirs.make();
    const queue = `${redis.url}?queue=restart`;
    const ws = await workers(2, queue, cwd);
    const producer = start([...FLEET, '--queue', queue, '--output', 'json'], cwd);
    await ws[0]!.waitFor(DONE);
    await redis.restart(1500);
    expect(await producer.exited, producer.err).toBe(0);
    const s = JSON.parse(producer.out) as Summary;
    expect([s.series, s.failed]).toEqual([24, []]);
    expect(decisions(join(cwd, s.runDir))).toEqual(decisions(baseline));
    expect(ws.map((w) => w.err).join('')).toMatch(/connected again/);
    await stopAll(ws);
  }, 240_000);

  it('Redis restarted without persistence (jobs lost): the run fails with one line and writes nothing', async () => {
    const volatile = await startRedis({ persist: false });
    try {
      const cwd = dirs.make();
      const queue = `${volatile.url}?queue=volatile`;
      const ws = await workers(1, queue, cwd, ['--concurrency', '1']);
      const producer = start([...FLEET, '--queue', queue], cwd);
      await ws[0]!.waitFor(DONE);
      await volatile.restart(200);
      expect(await producer.exited).toBe(1);
      const errors = producer.err.split('\n').filter((l) => /QUEUE_JOBS_LOST/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/job fleet-\S+ is gone from redis:\/\/127\.0\.0\.1:\d+\/0 \(queue volatile\)/);
      const runs = join(cwd, 'runs');
      expect(existsSync(runs) ? readdirSync(runs).filter((f) => !f.startsWith('.')) : []).toEqual([]);
      // The worker stops on SIGTERM though the queue lost the job it had finished.
      expect(await stopAll(ws)).toEqual([0]);
    } finally {
      await volatile.stop();
    }
  }, 120_000);

  it('Redis gone for good: the run fails with one line and writes nothing', async () => {
    const cwd = dirs.make();
    const dead = 'redis://127.0.0.1:1/0';
    const producer = start([...FLEET, '--queue', dead, '--queue-timeout', '2s'], cwd);
    expect(await producer.exited).toBe(1);
    const errors = producer.err.split('\n').filter((l) => /QUEUE_UNREACHABLE/.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:1\/0 \(queue amf-foresight-fleet\) did not answer for 2 s/,
    );
    const runs = join(cwd, 'runs');
    expect(existsSync(runs) ? readdirSync(runs).filter((f) => !f.startsWith('.')) : []).toEqual([]);
  }, 60_000);

  it('a job that always fails ends after its retries and is reported in the run', async () => {
    const cwd = dirs.make();
    const queue = `${redis.url}?queue=poison`;
    const producer = start([...FLEET, '--queue', queue, '--output', 'json'], cwd);
    const line = /queue: 4 jobs (fleet-\S+)-0…3/;
    await producer.waitFor(line);
    // A corrupted job (what no worker can run): the second workload's, open5gs-nrf, before any worker starts.
    redis.cli('hset', `bull:poison:${line.exec(producer.err)![1]!}-1`, 'data', '{"v":99}');
    const ws = await workers(1, queue, cwd);
    expect(await producer.exited, producer.err).toBe(4); // EXIT_SOME_FAILED
    const s = JSON.parse(producer.out) as Summary;
    expect(s.series).toBe(24);
    // Its six series are reported failed with the reason; the other workloads' are done.
    expect(s.failed.map((f) => `${f.workload} ${f.level} ${f.metric}`)).toEqual(
      ['amf', 'support', 'upperlimit'].flatMap((l) => [`open5gs-nrf ${l} cpu`, `open5gs-nrf ${l} memory`]),
    );
    for (const f of s.failed) {
      expect(f.code).toBe('FLEET_JOB_FAILED');
      expect(f.message).toMatch(/after 3 attempt\(s\): not a fleet job of version 2: version 99/);
    }
    expect(producer.err.match(/open5gs-nrf: failed on the queue's workers/g)).toHaveLength(1);
    expect(ws[0]!.err.match(/attempt failed: not a fleet job/g)).toHaveLength(3);
  }, 240_000);
});
