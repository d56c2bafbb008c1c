import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '@amf-foresight/cli';
import { seededRandom, setStaleNaN } from '@amf-foresight/core';
import { startPrometheus, tempDirs } from '@amf-foresight/test-servers';
import { fixtureDir, goDump, promtoolDump, requireTool } from '../reader/fixtures.test-util.js';
import fc from 'fast-check';
import { writeBlocks } from './write-blocks.js';
import { arbSeries, build, labelsKey } from './writer.test-util.js';
import type { SeriesToWrite } from './block-writer.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const dirs = tempDirs('amf-writer-');
afterAll(() => dirs.cleanup());

/** Series of every kind the format holds: specials, a staleness marker, resets, jitter, gaps, UTF-8, many small. */
function testSeries(): SeriesToWrite[] {
  const rnd = seededRandom(15);
  const n = 14 * 60;
  const t = Array.from({ length: n }, (_, i) => T0 + i * MIN);
  const gauge = Float64Array.from(t, (_, i) => 100 + 50 * Math.sin(i / 30) + rnd());
  const specials: [number, number][] = [
    [100, NaN],
    [200, Infinity],
    [201, -Infinity],
    [202, -0],
    [203, 1e-300],
    [204, 5e-324],
    [205, Number.MAX_VALUE],
  ];
  for (const [i, v] of specials) gauge[i] = v;
  setStaleNaN(gauge, 300);
  let c = 0;
  const counter = Float64Array.from(t, (_, i) => (i === 400 ? (c = 3) : (c += Math.floor(rnd() * 1000))));
  const jt: number[] = [];
  for (let x = T0 + 7; jt.length < 2000;) {
    jt.push(x);
    x += rnd() < 0.01 ? 660_000 + Math.floor(rnd() * 1e6) : 15_000 + Math.floor(rnd() * 80) - 40;
  }
  const out: SeriesToWrite[] = [
    { labels: { __name__: 'amf_foresight_test', kind: 'gauge', note: 'café "q"\\n' }, timestamps: t, values: gauge },
    { labels: { __name__: 'amf_foresight_test', kind: 'counter' }, timestamps: t, values: counter },
    { labels: { __name__: 'amf_foresight_jitter', kind: 'gauge' }, timestamps: jt, values: jt.map(() => rnd()) },
  ];
  for (let k = 0; k < 200; k++)
    out.push({
      labels: { __name__: 'amf_foresight_short', pod: `open5gs-amf-${k}`, zone: `z${k % 7}` },
      timestamps: Array.from({ length: 10 }, (_, i) => T0 + k * 1000 + i * MIN),
      values: Array.from({ length: 10 }, (_, i) => k * i),
    });
  return out;
}

function dataDir(): string {
  const dir = dirs.make();
  writeBlocks(dir, testSeries());
  return dir;
}

function bitsHex(v: Float64Array, i: number): string {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  return u[2 * i + 1]!.toString(16).padStart(8, '0') + u[2 * i]!.toString(16).padStart(8, '0');
}

async function ourDump(dir: string): Promise<string> {
  let out = '';
  const code = await main(['tsdb', 'dump', dir], { out: (t) => (out += t), err: () => {}, isTTY: false });
  expect(code).toBe(0);
  return out;
}

describe('blocks we write, read by Prometheus 2.42', () => {
  it('promtool tsdb dump reads them and prints byte for byte what our dump prints', async () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'wal'));
    const want = promtoolDump(dir, {});
    expect(want.split('\n').length).toBeGreaterThan(2000 + 2 * 840 + 2000);
    expect(want).toContain(
      '{__name__="amf_foresight_test", kind="gauge", note="café \\"q\\"\\\\n"} +Inf 1700012000000',
    );
    expect(await ourDump(dir)).toBe(want);
  });

  it("Prometheus's own tsdb package (tools/go-dump) decodes every timestamp and value bit as written", () => {
    const dir = dataDir();
    const got = goDump(dir, {});
    const want = testSeries();
    expect(got.length).toBe(want.length);
    for (const s of want) {
      const g = got.find((x) => JSON.stringify(x.metric) === JSON.stringify(sortedLabels(s.labels)))!;
      const v = s.values instanceof Float64Array ? s.values : Float64Array.from(s.values);
      expect(g.timestamps).toEqual(Array.from(s.timestamps));
      expect(g.values).toEqual(Array.from(v, (_, i) => bitsHex(v, i)));
    }
    const gauge = got.find((x) => x.metric.kind === 'gauge' && x.metric.__name__ === 'amf_foresight_test')!;
    expect(gauge.values[300]).toBe('7ff0000000000002');
  });

  it('round trip: random series → blocks on disk → tools/go-dump gives the same timestamps and value bits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbSeries, { minLength: 1, maxLength: 5, selector: (s) => JSON.stringify(labelsKey(s.labels)) }),
        (raw) => {
          const series = raw.map(build);
          const dir = dirs.make();
          writeBlocks(dir, series);
          const got = goDump(dir, {});
          expect(got.length).toBe(series.length);
          for (const s of series) {
            const g = got.find((x) => JSON.stringify(x.metric) === JSON.stringify(sortedLabels(s.labels, true)))!;
            const v = s.values as Float64Array;
            expect(g.timestamps).toEqual(Array.from(s.timestamps));
            expect(g.values).toEqual(Array.from(v, (_, i) => bitsHex(v, i)));
          }
        },
      ),
      { numRuns: 25, seed: 15 },
    );
  });

  it('promtool tsdb analyze reads every one of them', () => {
    requireTool('promtool', "run `make test`, which installs Debian's prometheus package");
    const dir = dirs.make();
    const blocks = writeBlocks(dir, testSeries());
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks) {
      const out = execFileSync('promtool', ['tsdb', 'analyze', dir, b.ulid], { encoding: 'utf8' });
      expect(out).toContain(`Block ID: ${b.ulid}`);
      expect(out).toContain(`Series: ${b.stats.numSeries}\n`);
    }
  });

  it('a Prometheus server answers query_range with the written values exactly, and compacts them', async () => {
    const dir = dirs.make();
    const data = join(dir, 'data');
    cpSync(fixtureDir('blocks'), data, { recursive: true });
    const theirs = new Set(readdirSync(data));
    const ours = writeBlocks(data, testSeries()).map((b) => b.ulid);
    const prom = await startPrometheus(data, { maxBlockDuration: '24h' });
    try {
      await expectExactValues(prom.url);
      // The server compacts persisted blocks on its first cycle, a minute after start.
      // Done when our blocks are gone and no block is being written (a cycle runs several compactions).
      const busy = () =>
        ours.some((u) => existsSync(join(data, u))) || readdirSync(data).some((d) => d.includes('.tmp'));
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline && busy()) await new Promise((r) => setTimeout(r, 1000));
      await new Promise((r) => setTimeout(r, 2000));
      const metas = readdirSync(data)
        .filter((d) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(d) && existsSync(join(data, d, 'meta.json')))
        .map((d) => JSON.parse(readFileSync(join(data, d, 'meta.json'), 'utf8')) as Meta);
      const merged = metas.filter((m) => m.compaction.level > 1);
      const sources = new Set(merged.flatMap((m) => m.compaction.sources));
      expect(ours.every((u) => sources.has(u))).toBe(true);
      expect([...theirs].some((u) => sources.has(u))).toBe(true);
      await expectExactValues(prom.url);
    } finally {
      await prom.stop();
    }
  }, 240_000);
});

interface Meta {
  compaction: { level: number; sources: string[] };
}

function sortedLabels(l: Readonly<Record<string, string>>, dropEmpty = false): Record<string, string> {
  const entries = Object.entries(l).filter(([, v]) => !dropEmpty || v !== '');
  return Object.fromEntries(entries.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Every step of the gauge and the counter over 14 hours, NaN and ±Inf included; the stale step is absent. */
async function expectExactValues(url: string): Promise<void> {
  const q = new URLSearchParams({
    query: 'amf_foresight_test',
    start: String(T0 / 1000),
    end: String((T0 + 839 * MIN) / 1000),
    step: '60',
  });
  const body = (await (await fetch(`${url}/api/v1/query_range?${q.toString()}`)).json()) as {
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  const series = testSeries();
  expect(body.data.result.length).toBe(2);
  for (const r of body.data.result) {
    const s = series.find((x) => x.labels.kind === r.metric.kind && x.labels.__name__ === 'amf_foresight_test')!;
    const v = s.values as Float64Array;
    const want: [number, string][] = [];
    for (let i = 0; i < 840; i++) {
      if (r.metric.kind === 'gauge' && i === 300) continue; // a staleness marker: no value at that step
      want.push([(T0 + i * MIN) / 1000, key(v[i]!)]);
    }
    expect(r.values.map(([t, x]) => [t, promFloat(x)])).toEqual(want);
  }
}

/** A number as a comparable string that keeps -0 apart from 0; Prometheus's JSON writes ±Inf as "+Inf"/"-Inf". */
function key(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function promFloat(s: string): string {
  return key(s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));
}
