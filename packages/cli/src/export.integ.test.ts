import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  createBucket,
  requireTool,
  startFaultProxy,
  startMoto,
  startPrometheus,
  tempDirs,
} from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { readParquetFile } from '@amf-foresight/tsdb-ingest/parquet';
import { BIN, spawnCli } from './cli.test-util.js';
import type { SpawnResult } from './cli.test-util.js';

// Forecasts as blocks (issue 15 item 2): the built CLI in its own process, blocks read by promtool and a
// Prometheus 2.42 server, uploads to a real S3 API server (moto) through a proxy that fails or slows PUTs.
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const dirs = tempDirs('amf-export-');
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.client, 'forecasts');
}, 180_000);

afterAll(async () => {
  await (moto as Moto | undefined)?.stop();
  dirs.cleanup();
});

const S3_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

/** The CLI against the S3 API at `endpoint` (moto, or the fault proxy in front of it). */
const cli = (args: string[], cwd: string, endpoint = moto.endpoint, onSpawn?: Parameters<typeof spawnCli>[3]) =>
  spawnCli(args, cwd, { ...S3_ENV, AWS_ENDPOINT_URL: endpoint }, onSpawn);

/** The sample's two days before the restart's weekend: the window both runs here read. */
const WINDOW = ['--local-path', SAMPLE, '--start', '2023-06-09 00:00:00', '--end', '2023-06-11 00:00:00'];

/** Every key under `prefix`, grouped by block: ULID → its file names. */
async function bucketBlocks(prefix: string): Promise<Map<string, string[]>> {
  const blocks = new Map<string, string[]>();
  let token: string | undefined;
  do {
    const r = await moto.client.send(
      new ListObjectsV2Command({ Bucket: 'forecasts', Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const o of r.Contents ?? []) {
      const [u, ...rest] = o.Key!.slice(prefix.length + 1).split('/');
      if (!/^[0-9A-Z]{26}$/.test(u!)) continue;
      blocks.set(u!, [...(blocks.get(u!) ?? []), rest.join('/')]);
    }
    token = r.NextContinuationToken;
  } while (token);
  return blocks;
}

const COMPLETE = ['chunks/000001', 'index', 'meta.json', 'tombstones'];

/** The invariant of Thanos's layout: a block with meta.json has all its files. */
function expectNoVisiblePartial(blocks: Map<string, string[]>): { complete: number; partial: number } {
  let complete = 0;
  let partial = 0;
  for (const files of blocks.values()) {
    if (files.includes('meta.json')) {
      expect(files.sort()).toEqual(COMPLETE);
      complete++;
    } else partial++;
  }
  return { complete, partial };
}

describe('train --export-blocks', () => {
  let work = '';
  let run = '';
  beforeAll(async () => {
    work = dirs.make();
    const r = await cli(
      [
        '--process',
        ...WINDOW,
        '--generate',
        '--metric',
        'container_cpu_usage_seconds_total',
        '--type',
        'utilization',
        '--level',
        'amf',
        '--train',
        '--model',
        'THETA',
        '--export-blocks',
        'fc',
        '--upload',
        's3://forecasts/demo',
        '--quiet',
      ],
      work,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    run = join(work, 'runs', 'latest');
  }, 120_000);

  it('writes the forecast as amf_foresight_forecast series, the mean and every bound bit for bit', async () => {
    const dump = execFileSync(process.execPath, [BIN, 'tsdb', 'dump', join(work, 'fc')], { encoding: 'utf8' });
    const lines = dump.trim().split('\n');
    const quantiles = new Set(lines.map((l) => /quantile="([^"]+)"/.exec(l)![1]));
    expect([...quantiles].sort()).toEqual(['0.025', '0.05', '0.1', '0.5', '0.9', '0.95', '0.975']);
    expect(lines[0]).toMatch(
      new RegExp(
        '^\\{__name__="amf_foresight_forecast", level="amf", metric="utilization", model="THETA", ' +
          'namespace="openverso", nf="amf", ',
      ),
    );
    const f = readParquetFile(join(run, 'forecast.parquet')).table;
    const mean = Array.from(f.getChild('THETA')!.toArray() as Float64Array);
    const ds = Array.from(f.getChild('ds')!, (x) => Number(x));
    const median = lines.filter((l) => l.includes('quantile="0.5"')).map((l) => l.split(' ').slice(-2));
    expect(median.map(([, t]) => Number(t))).toEqual(ds);
    expect(median.map(([v]) => Number(v))).toEqual(mean);
    for (const [level, lo, hi] of [
      ['80', '0.1', '0.9'],
      ['95', '0.025', '0.975'],
    ] as const) {
      const at = (q: string) =>
        lines.filter((l) => l.includes(`quantile="${q}"`)).map((l) => Number(l.split(' ').at(-2)));
      expect(at(lo)).toEqual(Array.from(f.getChild(`THETA-lo-${level}`)!.toArray() as Float64Array));
      expect(at(hi)).toEqual(Array.from(f.getChild(`THETA-hi-${level}`)!.toArray() as Float64Array));
    }
  });

  it('promtool reads the exported blocks, and prints what our dump prints', () => {
    requireTool('promtool', "run `make test`, which installs Debian's prometheus package");
    const dir = dirs.make();
    cpSync(join(work, 'fc'), dir, { recursive: true });
    mkdirSync(join(dir, 'wal'), { recursive: true });
    const theirs = execFileSync('promtool', ['tsdb', 'dump', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const ours = execFileSync(process.execPath, [BIN, 'tsdb', 'dump', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const steps = readParquetFile(join(run, 'forecast.parquet')).table.numRows;
    expect(theirs.split('\n').length).toBe(7 * steps + 1);
    expect(ours).toBe(theirs);
  });

  it('uploads the blocks beside the run in Thanos layout, every block complete', async () => {
    const blocks = await bucketBlocks('demo');
    expect([...blocks.keys()].sort()).toEqual(readdirSync(join(run, 'blocks')).sort());
    expect(expectNoVisiblePartial(blocks)).toEqual({ complete: blocks.size, partial: 0 });
  });

  it('a Prometheus 2.42 server on the exported data directory answers for the forecast', async () => {
    const data = join(dirs.make(), 'data');
    cpSync(join(work, 'fc'), data, { recursive: true });
    const prom = await startPrometheus(data);
    try {
      const f = readParquetFile(join(run, 'forecast.parquet')).table;
      const ds = Array.from(f.getChild('ds')!, (x) => Number(x));
      const q = new URLSearchParams({
        query: 'amf_foresight_forecast{quantile="0.5"}',
        start: String(ds[0]! / 1000),
        end: String(ds[ds.length - 1]! / 1000),
        step: '60',
      });
      const body = (await (await fetch(`${prom.url}/api/v1/query_range?${q.toString()}`)).json()) as {
        data: { result: { values: [number, string][] }[] };
      };
      expect(body.data.result).toHaveLength(1);
      expect(body.data.result[0]!.values.map(([, v]) => Number(v))).toEqual(
        Array.from(f.getChild('THETA')!.toArray() as Float64Array),
      );
    } finally {
      await prom.stop();
    }
  });
});

describe('fleet --export-blocks --upload, interrupted and rerun', () => {
  const fleetArgs = (prefix: string) => [
    'fleet',
    ...WINDOW,
    '--period',
    '1d',
    '--nf',
    'amf,smf',
    '--model',
    'SNAIVE',
    '--export-blocks',
    'fc',
    '--upload',
    `s3://forecasts/${prefix}`,
    '--quiet',
  ];

  it('injected 503s stop the upload: no visible partial block; tsdb upload completes it', async () => {
    const work = dirs.make();
    const proxy = await startFaultProxy(moto.endpoint, { putErrorAfter: 30 });
    try {
      const r = await cli(fleetArgs('outage'), work, proxy.endpoint);
      expect(r.err).toMatch(/run the upload again \(amf-foresight tsdb upload .*\) to complete them \[S3_FAILED\]/);
      expect(r.code).toBe(1); // a server that keeps failing after the SDK's retries (README, exit codes)
      expect(proxy.stats.putErrors).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
    const before = expectNoVisiblePartial(await bucketBlocks('outage'));
    const local = readdirSync(join(work, 'runs', 'latest', 'blocks'));
    expect(local.length).toBeGreaterThan(10);
    expect(before.complete).toBeGreaterThan(0);
    expect(before.complete).toBeLessThan(local.length);
    const again = await cli(['tsdb', 'upload', join(work, 'runs', 'latest', 'blocks'), 's3://forecasts/outage'], work);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(
      new RegExp(`uploaded ${local.length - before.complete} blocks .*; ${before.complete} were`),
    );
    const after = await bucketBlocks('outage');
    expect(expectNoVisiblePartial(after)).toEqual({ complete: local.length, partial: 0 });
  }, 180_000);

  it('a killed upload leaves no visible partial block; the rerun completes', async () => {
    const work = dirs.make();
    const first = await cli(fleetArgs('unused'), work);
    expect(first.code).toBe(0);
    const blocks = join(work, 'runs', 'latest', 'blocks');
    const proxy = await startFaultProxy(moto.endpoint, { putDelayMs: 40 });
    let r: SpawnResult;
    try {
      r = await cli(['tsdb', 'upload', blocks, 's3://forecasts/killed'], work, proxy.endpoint, (p) => {
        const t = setInterval(() => {
          if (proxy.stats.puts >= 15) {
            clearInterval(t);
            p.kill('SIGKILL');
          }
        }, 5);
      });
    } finally {
      await proxy.close();
    }
    expect(r.signal).toBe('SIGKILL');
    const n = readdirSync(blocks).length;
    const killed = expectNoVisiblePartial(await bucketBlocks('killed'));
    expect(killed.complete).toBeLessThan(n);
    const again = await cli(['tsdb', 'upload', blocks, 's3://forecasts/killed', '--output', 'json'], work);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ blocks: n - killed.complete, skipped: killed.complete });
    expect(expectNoVisiblePartial(await bucketBlocks('killed'))).toEqual({ complete: n, partial: 0 });
  }, 180_000);

  it('tsdb upload of a directory without blocks is exit 3, NO_BLOCKS', async () => {
    const work = dirs.make();
    const r = await cli(['tsdb', 'upload', work, 's3://forecasts/none'], work);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/holds no TSDB block to upload .*\[NO_BLOCKS\]/);
  });
});
