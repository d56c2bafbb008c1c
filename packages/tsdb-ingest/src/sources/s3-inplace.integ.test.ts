import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger, standaloneContext } from '@amf-foresight/core';
import {
  REPO_ROOT,
  createBucket,
  s3Client,
  startFaultProxy,
  startMoto,
  tempDirs,
  uploadDir,
} from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { FIXTURES, casesFor, fixtureDir, rowsOf } from '../reader/fixtures.test-util.js';
import type { Case } from '../reader/fixtures.test-util.js';
import { TsdbError } from '../reader/errors.js';
import { readSamples } from '../reader/read-samples.js';
import type { SamplesTables } from '../reader/read-samples.js';
import { readS3Samples } from './s3-inplace.js';
import { s3InPlaceSource, s3InPlaceSeries } from './s3-source.js';

const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
let moto: Moto;
const dirs = tempDirs('amf-s3ip-');

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.client, 'tsdb');
  for (const f of FIXTURES) await uploadDir(moto.client, 'tsdb', `fx/${f}`, fixtureDir(f));
  await uploadDir(moto.client, 'tsdb', 'sample', SAMPLE);
}, 180_000);

afterAll(async () => {
  await (moto as Moto | undefined)?.stop();
  dirs.cleanup();
});

const query = (c: Case) => ({
  ...(c.minTime !== undefined ? { minTime: c.minTime } : {}),
  ...(c.maxTime !== undefined ? { maxTime: c.maxTime } : {}),
  ...(c.match !== undefined ? { matchers: c.match } : {}),
});

const bytesOf = (t: SamplesTables, c: string) => {
  const a = t.samples.getChild(c)!.toArray() as Uint32Array | BigInt64Array | Float64Array;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
};

/** Every column of both tables; sample columns compared as bytes (values by their bits: NaN payloads, −0). */
function expectIdentical(got: SamplesTables, want: SamplesTables): void {
  expect(got.series.schema.fields.map((f) => f.name)).toEqual(want.series.schema.fields.map((f) => f.name));
  for (const f of want.series.schema.fields)
    expect(got.series.getChild(f.name)!.toArray(), f.name).toEqual(want.series.getChild(f.name)!.toArray());
  expect(got.samples.numRows).toBe(want.samples.numRows);
  for (const c of ['series_id', 't', 'v']) expect(bytesOf(got, c).equals(bytesOf(want, c)), c).toBe(true);
  expect(got.warnings).toEqual(want.warnings);
}

const opts = (client: S3Client, extra: Record<string, unknown> = {}) => ({ s3: { client, ...extra } });

describe.each(FIXTURES)('in place from S3: fixture %s', (fixture) => {
  it.each(casesFor(fixture))('equals the local read sample for sample: $name', async (c) => {
    const want = await readSamples(fixtureDir(fixture), query(c));
    const got = await readSamples(`s3://tsdb/fx/${fixture}`, { ...query(c), ...opts(moto.client) });
    expectIdentical(got, want);
  });
});

describe('in place from S3: the sample and its AMF selection', () => {
  const AMF = '{namespace="openverso", pod=~"open5gs-amf.*", __name__=~"container_(cpu_usage_seconds_total|memory.*)"}';
  const cases = [
    { name: 'all of it' },
    { name: 'the AMF, all of it', match: AMF },
    { name: 'the AMF, a day', match: AMF, minTime: Date.UTC(2023, 5, 7), maxTime: Date.UTC(2023, 5, 8) - 1 },
    { name: 'negative matchers', match: '{namespace!="kube-system", container!=""}' },
  ];
  it.each(cases)('$name: identical, and a selection fetches a small part of the bytes', async (c) => {
    const want = await readSamples(SAMPLE, query(c));
    const got = await readS3Samples('s3://tsdb/sample', { ...query(c), ...opts(moto.client) });
    expectIdentical(got, want);
    expect(got.stats.samples).toBeGreaterThan(0);
    const total = readdirSync(SAMPLE).reduce(
      (a, b) => a + ['index', 'chunks/000001'].reduce((s, f) => s + readFileSync(join(SAMPLE, b, f)).length, 0),
      0,
    );
    if (c.match === AMF) expect(got.transfer.bytes).toBeLessThan(total * 0.5);
  });

  it('lists the series an in-place read returns without fetching a chunk', async () => {
    const window = { start: Date.UTC(2023, 5, 7), end: Date.UTC(2023, 5, 8) - 1, readBefore: 300_000, matchers: AMF };
    const read = { bucket: 'tsdb', prefix: 'sample', client: moto.client };
    const facts: Record<string, { bytes: number }>[] = [];
    const ctx = { ...standaloneContext(), record: (f: Record<string, unknown>) => facts.push(f as never) };
    const series = await s3InPlaceSeries({ read, window }, ctx);
    const samples = await s3InPlaceSource({ read, window }).run(undefined, ctx);
    expect(series.numRows).toBeGreaterThan(0);
    expect(rowsOf(series)).toEqual(rowsOf(samples.series));
    const [listed, read2] = facts.flatMap((f) => (f['transfer'] ? [f['transfer'].bytes] : []));
    expect(listed).toBeLessThan(read2! / 2); // the selection's chunks are most of what a read fetches
  });

  it('a second read takes the index headers from the cache and fetches fewer bytes', async () => {
    const cache = dirs.make();
    const q = { matchers: AMF, ...opts(moto.client, { indexHeaderDir: cache }) };
    const first = await readS3Samples('s3://tsdb/sample', q);
    const second = await readS3Samples('s3://tsdb/sample', q);
    expectIdentical(second, first);
    const blocks = readdirSync(SAMPLE).length;
    expect(first.transfer.headerMisses).toBe(blocks);
    expect(second.transfer.headerHits).toBe(blocks);
    expect(second.transfer.bytes).toBeLessThan(first.transfer.bytes);
    // A damaged cached header is noticed (its CRCs), fetched again, and the read is still identical.
    const f = readdirSync(cache).find((n) => n.endsWith('.index-header'))!;
    const b = readFileSync(join(cache, f));
    b[b.length - 100]! ^= 0xff;
    writeFileSync(join(cache, f), b);
    const log = new MemoryLogger();
    const third = await readS3Samples('s3://tsdb/sample', { ...q, logger: log });
    expectIdentical(third, first);
    expect(log.records.some((r) => r.level === 'warn' && r.message.includes('damaged'))).toBe(true);
  });

  it('completes identical through 503 SlowDown, cut bodies and slow bodies', async () => {
    const proxy = await startFaultProxy(moto.endpoint, { slowDownEvery: 4, cutEvery: 5, bytesPerSecond: 4_000_000 });
    try {
      const want = await readSamples(SAMPLE, { matchers: AMF });
      const log = new MemoryLogger();
      const got = await readS3Samples('s3://tsdb/sample', {
        matchers: AMF,
        logger: log,
        ...opts(s3Client(proxy.endpoint), { attempts: 8 }),
      });
      expectIdentical(got, want);
      expect(proxy.stats.slowDowns).toBeGreaterThan(2);
      expect(proxy.stats.cuts).toBeGreaterThan(2);
    } finally {
      await proxy.close();
    }
  });
});

describe('in place from S3: damage and skipped blocks', () => {
  /** A copy of the `blocks` fixture with one byte flipped in `file` of its first block. */
  async function damaged(prefix: string, file: string, at: (size: number) => number): Promise<string> {
    const dir = dirs.make();
    cpSync(fixtureDir('blocks'), dir, { recursive: true });
    const block = readdirSync(dir).sort()[0]!;
    const p = join(dir, block, file);
    const b = readFileSync(p);
    b[at(b.length)]! ^= 0x5a;
    writeFileSync(p, b);
    await uploadDir(moto.client, 'tsdb', prefix, dir);
    return dir;
  }
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'no error';
    } catch (e) {
      return e instanceof TsdbError ? `${e.code} ${e.details.section ?? ''} @${e.details.offset ?? ''}` : String(e);
    }
  };

  it.each([
    ['a chunk', 'chunks/000001', (n: number) => Math.floor(n / 2)],
    ['a series entry', 'index', () => 300],
    ['the TOC', 'index', (n: number) => n - 10],
    ['the postings offset table', 'index', (n: number) => n - 80],
  ])('damage in %s gives the same error code as the local file', async (_what, file, at) => {
    const prefix = `damaged-${file.replace('/', '-')}-${at(1000)}`;
    const dir = await damaged(prefix, file, at);
    const local = await codeOf(readSamples(dir, {}));
    const remote = await codeOf(readSamples(`s3://tsdb/${prefix}`, opts(moto.client)));
    expect(local).toMatch(/^TSDB_/);
    expect(remote).toBe(local);
  });

  it('skips partial and deletion-marked blocks, as the sync does', async () => {
    const src = fixtureDir('blocks');
    const [a, b] = readdirSync(src).sort();
    await uploadDir(moto.client, 'tsdb', 'skips', src);
    const del = (key: string, body: string) =>
      moto.client.send(new PutObjectCommand({ Bucket: 'tsdb', Key: key, Body: body }));
    await del(`skips/${a}/deletion-mark.json`, '{"id":"x","deletion_time":1,"version":1}');
    await del('skips/01HZZZZZZZZZZZZZZZZZZZZZZZ/index', 'partial');
    const local = dirs.make();
    for (const n of readdirSync(src).filter((n) => n !== a)) cpSync(join(src, n), join(local, n), { recursive: true });
    const log = new MemoryLogger();
    const got = await readS3Samples('s3://tsdb/skips', { logger: log, ...opts(moto.client) });
    expectIdentical(got, await readSamples(local, {}));
    expect(b).toBeDefined();
    expect(log.records.filter((r) => r.message.includes('skipped')).length).toBe(2);
  });
});
