import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, startMoto, tempDirs, uploadDir } from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { main } from './main.js';
import { readParquetFile, readSamplesDir } from '@amf-foresight/tsdb-ingest/parquet';

const BLOCKS = join(import.meta.dirname, '../../tsdb-ingest/testdata/blocks');
const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
let moto: Moto;
let authMoto: Moto;
const dirs = tempDirs('amf-dl-');
const tmp = dirs.make;
const saved = { ...process.env };

beforeAll(async () => {
  [moto, authMoto] = await Promise.all([startMoto(), startMoto({ auth: true })]);
  await createBucket(moto.client, 'tsdb');
  await uploadDir(moto.client, 'tsdb', 'prom', BLOCKS);
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([(moto as Moto | undefined)?.stop(), (authMoto as Moto | undefined)?.stop()]);
  dirs.cleanup();
});

async function run(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  process.env = {
    ...saved,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    ...env,
  };
  for (const k of ['bucket', 'prefix', 'local_path', 'block'])
    if (env[k] === undefined) Reflect.deleteProperty(process.env, k);
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

describe('amf-foresight download', () => {
  it('syncs into local_path with the prototype env vars bucket, prefix, local_path and AWS_ENDPOINT_URL', async () => {
    const cache = tmp();
    const r = await run(['download', '--output', 'json'], {
      bucket: 'tsdb',
      prefix: 'prom',
      local_path: cache,
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(r.code).toBe(0);
    expect(readdirSync(cache).sort()).toEqual(readdirSync(BLOCKS).sort());
    expect(JSON.parse(r.out)).toMatchObject({ downloaded: readdirSync(BLOCKS).length, cached: 0 });
    expect(r.err).not.toContain('testing');
  });

  it('the env var block fetches one block', async () => {
    const cache = tmp();
    const one = readdirSync(BLOCKS).sort()[2]!;
    const r = await run(['download'], {
      bucket: 'tsdb',
      prefix: 'prom',
      local_path: cache,
      block: one,
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(r.code).toBe(0);
    expect(readdirSync(cache)).toEqual([one]);
  });

  it.each([
    ['no bucket configured', [], {}, 2, 'no bucket configured'],
    ['an unknown bucket', ['--bucket', 'nope'], {}, 2, 'bucket "nope" does not exist'],
    [
      'a window with start after end',
      ['--bucket', 'tsdb', '--start', '2023-06-06 16:00:00', '--end', '2023-06-06 14:00:00'],
      {},
      2,
      '--start 2023-06-06T16:00:00.000Z must be before --end',
    ],
    ['an unparsable date', ['--bucket', 'tsdb', '--start', 'June 6th'], {}, 2, '--start "June 6th" is not a time'],
    [
      'an unknown block',
      ['--bucket', 'tsdb', '--prefix', 'prom', '--block', '01ZZZZZZZZZZZZZZZZZZZZZZZZ'],
      {},
      3,
      'is not under',
    ],
    // Issue 13, finding 8: an empty prefix exited 0 having synced nothing.
    [
      'an empty prefix',
      ['--bucket', 'tsdb', '--prefix', 'nothing-here', '--quiet'],
      {},
      3,
      'no TSDB blocks under s3://tsdb/nothing-here',
    ],
  ] as const)('%s: one line, exit %i', async (_n, args, env, code, text) => {
    const cache = tmp();
    const r = await run(['download', '--local-path', cache, ...args], { AWS_ENDPOINT_URL: moto.endpoint, ...env });
    expect(r.code).toBe(code);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(text);
    expect(readdirSync(cache).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('a failing run leaves an existing cache untouched', async () => {
    const cache = tmp();
    expect(
      (await run(['download'], { bucket: 'tsdb', prefix: 'prom', local_path: cache, AWS_ENDPOINT_URL: moto.endpoint }))
        .code,
    ).toBe(0);
    const before = readdirSync(cache).sort();
    const r = await run(['download', '--bucket', 'nope'], { local_path: cache, AWS_ENDPOINT_URL: moto.endpoint });
    expect(r.code).toBe(2);
    expect(readdirSync(cache).sort()).toEqual(before);
    const again = await run(['download', '--output', 'json'], {
      bucket: 'tsdb',
      prefix: 'prom',
      local_path: cache,
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(JSON.parse(again.out)).toMatchObject({ downloaded: 0, cached: before.length, bytes: 0 });
  });

  it('access denied: one line, exit 2, credentials not printed', async () => {
    const r = await run(['download', '--bucket', 'tsdb', '--local-path', tmp()], {
      AWS_ENDPOINT_URL: authMoto.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0',
      AWS_SECRET_ACCESS_KEY: 'secret-never-printed',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^amf-foresight: access to bucket "tsdb" denied/);
    expect(r.err).not.toContain('secret-never-printed');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('amf-foresight process --source (S3 in place)', () => {
  const window = ['--start', '2023-06-06 12:00:00', '--end', '2023-06-07 12:00:00', '--read-before', '0'];
  /** The samples of a process output, columns as bytes; the source it names is compared apart. */
  const parquet = (dir: string) => {
    const s = readSamplesDir(dir);
    const cols = (t: typeof s.samples) =>
      Object.fromEntries(
        t.schema.fields.map((f) => {
          const a = t.getChild(f.name)!.toArray() as ArrayLike<unknown>;
          return [f.name, ArrayBuffer.isView(a) ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Array.from(a)];
        }),
      );
    return { samples: cols(s.samples), series: cols(s.series), window: s.window, readFrom: s.readFrom };
  };

  it('writes the same Parquet files as a local read, with the env vars bucket/prefix or an s3:// URL', async () => {
    const meta = readdirSync(BLOCKS).map(
      (b) => JSON.parse(readFileSync(join(BLOCKS, b, 'meta.json'), 'utf8')) as { minTime: number; maxTime: number },
    );
    const lo = Math.min(...meta.map((m) => m.minTime));
    const hi = Math.max(...meta.map((m) => m.maxTime));
    const fmt = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
    const win = ['--start', fmt(lo + 600_000), '--end', fmt(hi - 600_000), '--read-before', '5m'];
    const local = tmp();
    const l = await run(['process', ...win, '--local-path', BLOCKS, '--out-dir', local, '--quiet'], {});
    expect(l.code, l.err).toBe(0);
    const cache = tmp();
    const viaUrl = tmp();
    const u = await run(
      ['process', ...win, '--source', 's3://tsdb/prom', '--out-dir', viaUrl, '--local-path', cache, '--output', 'json'],
      { AWS_ENDPOINT_URL: moto.endpoint },
    );
    expect(u.code, u.err).toBe(0);
    expect(parquet(viaUrl)).toEqual(parquet(local));
    expect(readSamplesDir(viaUrl).source).toBe('s3://tsdb/prom/');
    // Nothing was downloaded into the block cache; the index headers were kept for the next run.
    expect(readdirSync(cache)).toEqual(['.index-headers']);
    const overlapping = meta.filter((m) => m.minTime <= hi - 600_000 && lo + 600_000 - 300_000 < m.maxTime).length;
    expect(readdirSync(join(cache, '.index-headers'))).toHaveLength(overlapping);
    expect(JSON.parse(u.out)).toMatchObject({ transfer: { headerMisses: overlapping, headerHits: 0 } });
    const viaEnv = tmp();
    const e = await run(['process', ...win, '--source', 's3', '--out-dir', viaEnv, '--local-path', cache], {
      bucket: 'tsdb',
      prefix: 'prom',
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(e.code, e.err).toBe(0);
    expect(parquet(viaEnv)).toEqual(parquet(local));
    expect(e.err).toContain(`index headers: ${overlapping} cached, 0 fetched`);
  });

  it('refuses a source that is not S3, or one with --prometheus-url, in one line (exit 2)', async () => {
    const r = await run(['process', ...window, '--source', '/var/lib/prometheus'], {});
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('--source takes s3://bucket/prefix or s3');
    const both = await run(
      ['process', ...window, '--source', 's3://b/p', '--prometheus-url', 'http://127.0.0.1:1'],
      {},
    );
    expect(both.code).toBe(2);
    expect(both.err.trim().split('\n')).toHaveLength(1);
    expect(both.err).toContain('--source reads S3 blocks and --prometheus-url a live server: use one');
  });
});

describe('amf-foresight fleet --source (S3 in place)', () => {
  it('recommends what it recommends from the same blocks on disk', async () => {
    await uploadDir(moto.client, 'tsdb', 'sample', SAMPLE);
    const args = ['fleet', '--start', '2023-06-08 00:00:00', '--end', '2023-06-09 23:59:00', '--period', '1d'];
    const narrow = ['--levels', 'amf', '--metrics', 'cpu', '--workers', '0', '--output', 'json', '--quiet'];
    const recs = async (source: string[]) => {
      const d = tmp();
      const r = await run([...args, ...narrow, ...source, '--runs-dir', d, '--logs-dir', d], {
        AWS_ENDPOINT_URL: moto.endpoint,
      });
      expect(r.code, r.err).toBe(0);
      const { runDir, series } = JSON.parse(r.out) as { runDir: string; series: number };
      return { series, json: readFileSync(join(runDir, 'recommendations.json'), 'utf8') };
    };
    const cache = tmp();
    const [local, inPlace] = [
      await recs(['--local-path', SAMPLE]),
      await recs(['--source', 's3://tsdb/sample', '--local-path', cache]),
    ];
    expect(local.series).toBeGreaterThan(0);
    expect(inPlace).toEqual(local);
    expect(readdirSync(cache)).toEqual(['.index-headers']); // nothing downloaded
  });
});

describe("the prototype's --process with --source (S3 in place)", () => {
  const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
  const args = [
    ...['--process', '--start', '2023-06-06 14:00:00', '--end', '2023-06-06 16:00:00'],
    ...['--generate', '--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'amf'],
  ];

  it('builds the same dataset as from the blocks on disk; --download with --source is refused', async () => {
    await uploadDir(moto.client, 'tsdb', 'sample', SAMPLE);
    const a = tmp();
    const b = tmp();
    const local = await run([...args, '--local-path', SAMPLE, '--runs-dir', a, '--logs-dir', a, '--quiet'], {});
    expect(local.code, local.err).toBe(0);
    const s3 = await run([...args, '--source', 's3', '--local-path', b, '--runs-dir', b, '--logs-dir', b, '--quiet'], {
      bucket: 'tsdb',
      prefix: 'sample',
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    expect(s3.code, s3.err).toBe(0);
    // The dataset's rows (its metadata names the source, which differs).
    const dataset = (d: string) => {
      const t = readParquetFile(join(d, 'latest', 'dataset.parquet')).table;
      return t.schema.fields.map((f) => Array.from(t.getChild(f.name)!.toArray() as ArrayLike<unknown>));
    };
    expect(dataset(b)).toEqual(dataset(a));
    expect(dataset(a)[0]!.length).toBeGreaterThan(10);
    expect(readdirSync(join(b, '.index-headers')).length).toBeGreaterThan(0);
    const both = await run([...args, '--download', '--source', 's3', '--runs-dir', b], { bucket: 'tsdb' });
    expect(both.code).toBe(2);
    expect(both.err).toContain('--download syncs blocks into the cache and --source reads them in place');
  });
});
