import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, startPrometheus, tempDirs } from '@amf-foresight/test-servers';
import type { PromServer } from '@amf-foresight/test-servers';
import { readParquetFile } from '@amf-foresight/tsdb-ingest/parquet';
import { spawnCli } from './cli.test-util.js';

// Remote write (issue 15 item 3) from the built CLI to Prometheus 2.42 with its receiver on, directly and
// through a proxy that answers 503 (retried) or 400 (not retried).
const dirs = tempDirs('amf-rw-');
let prom: PromServer;

beforeAll(async () => {
  prom = await startPrometheus(join(dirs.make(), 'data'), { args: ['--web.enable-remote-write-receiver'] });
}, 60_000);

afterAll(async () => {
  await (prom as PromServer | undefined)?.stop();
  dirs.cleanup();
});

const cli = (args: string[], cwd: string) => spawnCli(args, cwd);

const demo = (url: string) => ['demo', '--model', 'THETA', '--remote-write', url, '--output', 'json'];
const quiet = (url: string) => ['demo', '--model', 'THETA', '--remote-write', url, '--quiet'];

async function instant(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${prom.url}/api/v1/query?${new URLSearchParams({ query }).toString()}`);
  return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data
    .result;
}

describe('--remote-write to Prometheus 2.42', () => {
  it('sends each horizon of the forecast stamped now; the series come back through the HTTP API', async () => {
    const work = dirs.make();
    const before = Date.now();
    const r = await cli(demo(`${prom.url}/api/v1/write`), work);
    expect(r.code, r.err).toBe(0);
    const sinks = (JSON.parse(r.out) as { sinks: { 'remote-write': { samples: number; retries: number } } }).sinks;
    // A 60-minute forecast: horizons 5m, 15m, 30m and 1h, each for 7 quantiles.
    expect(sinks['remote-write']).toMatchObject({ samples: 4 * 7, retries: 0 });
    const got = await instant('amf_foresight_forecast{model="THETA"}');
    expect(new Set(got.map((x) => x.metric.horizon))).toEqual(new Set(['5m', '15m', '30m', '1h']));
    expect(got).toHaveLength(28);
    const f = readParquetFile(join(work, 'runs', 'latest', 'forecast.parquet')).table;
    const mean = f.getChild('THETA')!.toArray() as Float64Array;
    const hi95 = f.getChild('THETA-hi-95')!.toArray() as Float64Array;
    const at = (h: string, q: string) => got.find((x) => x.metric.horizon === h && x.metric.quantile === q)!;
    expect(Number(at('1h', '0.5').value[1])).toBe(mean[59]);
    expect(Number(at('15m', '0.975').value[1])).toBe(hi95[14]);
    // Stamped at the write, not in the forecast's 2023: a live server keeps taking current samples.
    expect(at('1h', '0.5').value[0] * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(at('1h', '0.5').metric).toMatchObject({ namespace: 'openverso', nf: 'amf', metric: 'utilization' });
  }, 120_000);

  it('retries 503s with backoff and then delivers', async () => {
    const proxy = await startFaultProxy(prom.url, { postStatus: { status: 503, first: 2 } });
    try {
      const r = await cli(demo(`${proxy.endpoint}/api/v1/write`), dirs.make());
      expect(r.code, r.err).toBe(0);
      expect(proxy.stats.postErrors).toBe(2);
      expect(proxy.stats.posts).toBe(3);
      expect(JSON.parse(r.out)).toMatchObject({ sinks: { 'remote-write': { retries: 2, samples: 28 } } });
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('does not retry a 400: one request, one line, exit 2', async () => {
    const proxy = await startFaultProxy(prom.url, { postStatus: { status: 400 } });
    try {
      const r = await cli(quiet(`${proxy.endpoint}/api/v1/write`), dirs.make());
      expect(r.code).toBe(2);
      expect(proxy.stats.posts).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(
        /remote write to .* was refused: HTTP 400 injected 400: .*not retried.*\[REMOTE_WRITE_REJECTED\]/,
      );
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('refuses a URL that is not http(s), and credentials in it, before any work', async () => {
    const a = await cli(quiet('ftp://x/api/v1/write'), dirs.make());
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/\[BAD_REMOTE_WRITE_URL\]/);
    const b = await cli(quiet('http://user:secret@127.0.0.1:9/api/v1/write'), dirs.make());
    expect(b.code).toBe(2);
    expect(b.err).not.toContain('secret');
  });
});
