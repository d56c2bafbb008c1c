import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir, rowsOf } from '../reader/fixtures.test-util.js';
import { readSamples } from '../reader/read-samples.js';
import type { SamplesTables } from '../reader/read-samples.js';
import { fetchSamplesFromPrometheus, fetchSeriesFromPrometheus } from './prometheus-api.js';
import { startPrometheus } from '@amf-foresight/test-servers';
import type { PromServer } from '@amf-foresight/test-servers';

let server: PromServer;
let dir = '';
let root = '';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'amf-promapi-'));
  dir = join(root, 'data');
  mkdirSync(dir);
  // The plain backfill plus the tombstoned copy would collide by series: serve the tombstoned set.
  cpSync(fixtureDir('tombstones'), dir, { recursive: true });
  server = await startPrometheus(dir);
}, 60_000);

afterAll(async () => {
  await (server as PromServer | undefined)?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Series as label strings with (t, v) lists; NaN compared as NaN (the API cannot carry payload bits). */
function flatten(t: SamplesTables): Map<string, [number, number][]> {
  const names = t.series.schema.fields.map((f) => f.name).filter((n) => n !== 'series_id');
  const keys: string[] = [];
  for (let s = 0; s < t.series.numRows; s++) {
    keys.push(
      names
        .filter((n) => t.series.getChild(n)!.get(s) !== null)
        .map((n) => `${n}=${t.series.getChild(n)!.get(s)}`)
        .join(','),
    );
  }
  const out = new Map<string, [number, number][]>();
  const ids = t.samples.getChild('series_id')!.toArray() as Uint32Array;
  const ts = t.samples.getChild('t')!.toArray() as BigInt64Array;
  const vs = t.samples.getChild('v')!.toArray() as Float64Array;
  for (let i = 0; i < ids.length; i++) {
    const k = keys[ids[i]!]!;
    let l = out.get(k);
    if (!l) out.set(k, (l = []));
    l.push([Number(ts[i]!), vs[i]!]);
  }
  return out;
}

const T0 = 1_700_000_000_000;
const cases = [
  { name: 'everything', start: T0 - 3_600_000, end: T0 + 15 * 3_600_000 },
  {
    name: 'a window cutting blocks, one matcher',
    start: T0 + 1_234_567,
    end: T0 + 5 * 3_600_000 + 7,
    matchers: '{job="demo"}',
  },
  {
    name: 'regex and negative matchers',
    start: T0,
    end: T0 + 8 * 3_600_000,
    matchers: '{__name__=~"demo_(requests|temperature|memory).*", room!="plain"}',
  },
  { name: 'a short window (one piece)', start: T0 + 60_000, end: T0 + 600_000, matchers: 'demo_temperature' },
];

describe('the Prometheus HTTP API source against a real server serving the fixture blocks', () => {
  it.each(cases)('yields exactly the samples the block reader yields: $name', async (c) => {
    const api = await fetchSamplesFromPrometheus({
      url: server.url,
      start: c.start,
      end: c.end,
      pieceMs: 45 * 60_000,
      ...(c.matchers ? { matchers: c.matchers } : {}),
    });
    const reader = await readSamples(dir, {
      minTime: c.start,
      maxTime: c.end,
      ...(c.matchers ? { matchers: c.matchers } : {}),
    });
    const a = flatten(api);
    const b = flatten(reader);
    expect(a.size).toBeGreaterThan(0);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of b) expect(a.get(k), k).toEqual(v);
  });

  it.each(cases)('lists the series the samples have from /api/v1/series: $name', async (c) => {
    const w = { url: server.url, start: c.start, end: c.end, ...(c.matchers ? { matchers: c.matchers } : {}) };
    const [series, samples] = [await fetchSeriesFromPrometheus(w), await fetchSamplesFromPrometheus(w)];
    expect(series.numRows).toBeGreaterThan(0);
    expect(rowsOf(series)).toEqual(rowsOf(samples.series));
  });

  it('halves its pieces when asked for fewer, with the same result', async () => {
    const c = cases[1]!;
    const big = await fetchSamplesFromPrometheus({
      url: server.url,
      start: c.start,
      end: c.end,
      matchers: c.matchers!,
      pieceMs: 6 * 3_600_000,
    });
    const small = await fetchSamplesFromPrometheus({
      url: server.url,
      start: c.start,
      end: c.end,
      matchers: c.matchers!,
      pieceMs: 7 * 60_000,
    });
    expect(flatten(small)).toEqual(flatten(big));
  });

  it('reports a bad selector and an unreachable server clearly', async () => {
    await expect(
      fetchSamplesFromPrometheus({ url: server.url, start: T0, end: T0 + 1000, matchers: '{job=' }),
    ).rejects.toMatchObject({ code: 'PROM_BAD_QUERY', exitCode: 2 });
    await expect(
      fetchSamplesFromPrometheus({ url: 'http://127.0.0.1:9', start: T0, end: T0 + 1000, attempts: 1 }),
    ).rejects.toMatchObject({ code: 'PROM_UNREACHABLE' });
  });
});
