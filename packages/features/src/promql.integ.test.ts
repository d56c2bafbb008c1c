import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '@amf-foresight/tsdb-ingest';
import type { SamplesTables } from '@amf-foresight/tsdb-ingest';
import { startPrometheusOnCopy } from '@amf-foresight/test-servers';
import type { PromServer } from '@amf-foresight/test-servers';
import { generateDataset } from './generate.js';
import { grid, rateOnGrid, seriesPoints } from './promql.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data/blocks');
const FIXTURE = join(import.meta.dirname, '../../tsdb-ingest/testdata/blocks');
const servers: PromServer[] = [];
let sample: PromServer;
let fixture: PromServer;

beforeAll(async () => {
  servers.push(...(await Promise.all([startPrometheusOnCopy(SAMPLE), startPrometheusOnCopy(FIXTURE)])));
  [sample, fixture] = servers as [PromServer, PromServer];
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

async function queryRange(
  server: PromServer,
  query: string,
  start: number,
  end: number,
  step: number,
): Promise<RangeSeries[]> {
  const r = await fetch(`${server.url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: `${step / 1000}s` }),
  });
  const body = (await r.json()) as { status: string; data: { result: RangeSeries[] }; error?: string };
  if (body.status !== 'success') throw new Error(body.error);
  return body.data.result;
}

/** Compares a grid of ours (NaN = no point) with a query_range series: same points, relative difference ≤ 1e-9. */
function expectSameGrid(
  ours: Float64Array | (number | null)[],
  times: Float64Array,
  theirs: RangeSeries | undefined,
): number {
  const want = new Map((theirs?.values ?? []).map(([t, v]) => [Math.round(t * 1000), Number(v)]));
  let compared = 0;
  let worst = 0;
  for (let k = 0; k < times.length; k++) {
    const v = ours[k];
    const w = want.get(times[k]!);
    const have = v !== null && v !== undefined && !Number.isNaN(v);
    expect(have, `point at ${new Date(times[k]!).toISOString()}`).toBe(w !== undefined);
    if (!have || w === undefined) continue;
    const rel = Math.abs(v - w) / Math.max(Math.abs(w), 1e-300);
    worst = Math.max(worst, w === 0 ? Math.abs(v) : rel);
    compared++;
  }
  expect(worst).toBeLessThanOrEqual(1e-9);
  return compared;
}

const AMF_CONTAINER = '{namespace="openverso", pod=~"open5gs-amf.*", container="open5gs-amf"}';
const RESTART_FROM = Date.UTC(2023, 5, 9, 6);
const RESTART_TO = Date.UTC(2023, 5, 9, 12);

describe('features equal PromQL from a real Prometheus 2.42', () => {
  let samples: SamplesTables;
  beforeAll(async () => {
    samples = await readSamples(SAMPLE, {
      minTime: RESTART_FROM - 600_000,
      maxTime: RESTART_TO,
      matchers: '{namespace="openverso", pod=~"open5gs-amf.*"}',
    });
  });

  it('--type cpu --by pod equals rate(…[5m]) per pod, across the pod restart', async () => {
    const d = generateDataset(samples, {
      metric: 'container_cpu_usage_seconds_total',
      type: 'cpu',
      level: 'amf',
      start: RESTART_FROM,
      end: RESTART_TO,
      step: 60_000,
      by: 'pod',
    });
    const times = grid(RESTART_FROM, RESTART_TO, 60_000);
    const prom = await queryRange(
      sample,
      `rate(container_cpu_usage_seconds_total${AMF_CONTAINER}[5m])`,
      RESTART_FROM,
      RESTART_TO,
      60_000,
    );
    expect(prom).toHaveLength(2); // the pod before and after the restart
    const ids = Array.from(d.table.getChild('unique_id')!) as string[];
    const ys = Array.from(d.table.getChild('y')!) as (number | null)[]; // toArray() would show nulls as 0
    let compared = 0;
    for (const series of d.summary.series) {
      const pod = series.pods[0]!;
      const mine = ys.filter((_, i) => ids[i] === series.unique_id);
      compared += expectSameGrid(
        mine,
        times,
        prom.find((p) => p.metric.pod === pod),
      );
    }
    expect(compared).toBeGreaterThan(300);
  });

  it(
    '--type cpu (stitched) equals sum(rate(…[5m])), and --type memory equals working set / 2^20, at ' + 'every level',
    async () => {
      const times = grid(RESTART_FROM, RESTART_TO, 60_000);
      const levels = {
        amf: 'container="open5gs-amf"',
        upperlimit: 'container="", image=""',
        support: 'container="", image!=""',
      } as const;
      for (const [level, sel] of Object.entries(levels)) {
        const cpu = generateDataset(samples, {
          metric: 'container_cpu_usage_seconds_total',
          type: 'cpu',
          level: level as 'amf',
          start: RESTART_FROM,
          end: RESTART_TO,
        });
        const promCpu = await queryRange(
          sample,
          `sum(rate(container_cpu_usage_seconds_total{namespace="openverso", pod=~"open5gs-amf.*", ${sel}}[5m]))`,
          RESTART_FROM,
          RESTART_TO,
          60_000,
        );
        expectSameGrid(Array.from(cpu.table.getChild('y')!) as (number | null)[], times, promCpu[0]);
        const mem = generateDataset(samples, {
          metric: 'container_memory_working_set_bytes',
          type: 'memory',
          level: level as 'amf',
          start: RESTART_FROM,
          end: RESTART_TO,
        });
        const promMem = await queryRange(
          sample,
          `sum(container_memory_working_set_bytes{namespace="openverso", pod=~"open5gs-amf.*", ${sel}} / 2^20)`,
          RESTART_FROM,
          RESTART_TO,
          60_000,
        );
        expectSameGrid(Array.from(mem.table.getChild('y')!) as (number | null)[], times, promMem[0]);
      }
    },
  );

  it('rate() equals Prometheus across counter resets, jitter and gaps of every size (fixture blocks)', async () => {
    const r = await readSamples(FIXTURE, { matchers: '{__name__=~"demo_requests_total|demo_cpu_seconds_total"}' });
    const T0 = 1_700_000_000_000;
    const start = T0 - 120_000;
    const end = T0 + 14 * 3_600_000;
    const step = 15_000;
    const times = grid(start, end, step);
    const sid = r.samples.getChild('series_id')!.toArray() as Uint32Array;
    const t = r.samples.getChild('t')!.toArray() as BigInt64Array;
    const v = r.samples.getChild('v')!.toArray() as Float64Array;
    let compared = 0;
    for (const [name, window] of [
      ['demo_requests_total', 300_000],
      ['demo_cpu_seconds_total', 300_000],
      ['demo_cpu_seconds_total', 60_000],
      ['demo_requests_total', 3_600_000],
    ] as const) {
      const row = (r.series.getChild('__name__')!.toArray() as string[]).indexOf(name);
      const idx = [...sid.keys()].filter((i) => sid[i] === row);
      const pts = seriesPoints(t.subarray(idx[0], idx[idx.length - 1]! + 1), v.slice(idx[0], idx[idx.length - 1]! + 1));
      const ours = rateOnGrid(pts, times, window);
      const prom = await queryRange(fixture, `rate(${name}[${window / 1000}s])`, start, end, step);
      compared += expectSameGrid(ours, times, prom[0]);
    }
    expect(compared).toBeGreaterThan(4000);
  });
});

describe('the first minutes of a window equal PromQL (the rate window is read before --start)', () => {
  it('cpu at 14:00–14:10 of a 14:00–16:00 window equals a 13:00–16:00 window and query_range', async () => {
    const { readLocalBlocks } = await import('@amf-foresight/tsdb-ingest/reader');
    const { readBeforeFor } = await import('./generate.js');
    const o = { metric: 'container_cpu_usage_seconds_total', type: 'cpu', level: 'amf', step: 60_000 } as const;
    const at = (h: number) => Date.UTC(2023, 5, 6, h);
    const read = (start: number) =>
      readLocalBlocks({
        dataDir: SAMPLE,
        start,
        end: at(16),
        readBefore: readBeforeFor(o),
        matchers: '{namespace="openverso", pod=~"open5gs-amf.*"}',
      });
    const first10 = (d: ReturnType<typeof generateDataset>) => {
      const ds = Array.from(d.table.getChild('ds')!, Number);
      const y = Array.from(d.table.getChild('y')!) as (number | null)[];
      return ds.flatMap((t, i) => (t >= at(14) && t <= at(14) + 600_000 ? [y[i]!] : []));
    };
    const narrow = first10(generateDataset(await read(at(14)), o));
    const wide = first10(generateDataset(await read(at(13)), o));
    expect(narrow).toHaveLength(11);
    expect(narrow).toEqual(wide);
    const prom = await queryRange(
      sample,
      `sum(rate(container_cpu_usage_seconds_total${AMF_CONTAINER}[5m]))`,
      at(14),
      at(14) + 600_000,
      60_000,
    );
    expect(expectSameGrid(narrow, grid(at(14), at(14) + 600_000, 60_000), prom[0])).toBe(11);
  });
});
