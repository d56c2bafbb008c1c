import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '@amf-foresight/tsdb-ingest';
import type { SamplesTables } from '@amf-foresight/tsdb-ingest';
import { generateDataset } from './generate.js';
import { selectSeries } from './selection.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data');
const DAY = Date.UTC(2023, 5, 6);
let samples: SamplesTables;
beforeAll(async () => {
  samples = await readSamples(join(SAMPLE, 'blocks'), { minTime: DAY - 600_000, maxTime: DAY + 86_400_000 });
});

describe('level selection on the sample data', () => {
  const shortId = (id: string) =>
    id.replace(/^\/kubepods\/burstable\/pod[0-9a-f-]+/, '<pod cgroup>').replace(/[0-9a-f]{64}$/, '<container id>');
  const pick = (level: 'amf' | 'support' | 'upperlimit' | 'amf+support') =>
    selectSeries(samples.series, { metric: 'container_memory_working_set_bytes', level })
      .map(
        (s) =>
          `${s.labels.pod} container=${s.labels.container ?? ''} image=${s.labels.image ?? ''} ` +
          `id=${shortId(s.labels.id!)}`,
      )
      .sort();
  it('amf is the AMF container', () => {
    expect(pick('amf')).toEqual([
      'open5gs-amf-c9p82pbnrr-64fcx container=open5gs-amf image=docker.io/gradiant/open5gs:2.7.0 ' +
        'id=<pod cgroup>/<container id>',
    ]);
  });
  it('upperlimit is the pod cgroup (no container, no image)', () => {
    expect(pick('upperlimit')).toEqual(['open5gs-amf-c9p82pbnrr-64fcx container= image= id=<pod cgroup>']);
  });
  it('support is the pause container (no container, an image)', () => {
    expect(pick('support')).toEqual([
      'open5gs-amf-c9p82pbnrr-64fcx container= image=registry.k8s.io/pause:3.9 id=<pod cgroup>/<container id>',
    ]);
  });
  it('amf+support is both; other NFs and kube-system are never selected', () => {
    expect(pick('amf+support')).toEqual([...pick('amf'), ...pick('support')].sort());
    const smf = selectSeries(samples.series, { metric: 'container_memory_working_set_bytes', level: 'amf', nf: 'smf' });
    expect(smf.map((s) => s.labels.container)).toEqual(['open5gs-smf']);
  });
});

describe('generateDataset', () => {
  it('the cpu feature tracks the simulator ground truth (error stated below)', () => {
    const d = generateDataset(samples, {
      metric: 'container_cpu_usage_seconds_total',
      type: 'cpu',
      level: 'amf',
      start: DAY,
      end: DAY + 86_400_000 - 60_000,
    });
    const truth = gunzipSync(readFileSync(join(SAMPLE, 'ground-truth.csv.gz')))
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((r) => r[3] === 'amf')
      .map((r) => [Date.parse(r[0]!), Number(r[4])] as const);
    const byT = new Map(truth.map(([t, c]) => [t, c]));
    const ds = Array.from(d.table.getChild('ds')!, (x) => Number(x));
    const ys = Array.from(d.table.getChild('y')!) as (number | null)[];
    const rel: number[] = [];
    ds.forEach((T, i) => {
      const y = ys[i];
      if (y === null || y === undefined) return;
      const window = [1, 2, 3, 4, 5]
        .map((m) => byT.get(T - (m - 1) * 60_000))
        .filter((x): x is number => x !== undefined);
      if (window.length < 5) return;
      const mean = window.reduce((a, b) => a + b, 0) / 5;
      rel.push(Math.abs(y - mean) / mean);
    });
    rel.sort((a, b) => a - b);
    const meanRel = rel.reduce((a, b) => a + b, 0) / rel.length;
    const p99 = rel[Math.floor(rel.length * 0.99)]!;
    console.log(
      `cpu vs ground truth over ${rel.length} points: mean relative error ` +
        `${(meanRel * 100).toFixed(3)} %, p99 ${(p99 * 100).toFixed(3)} %, max ` +
        `${(rel[rel.length - 1]! * 100).toFixed(3)} %`,
    );
    expect(rel.length).toBeGreaterThan(1400);
    expect(meanRel).toBeLessThan(0.01);
    expect(p99).toBeLessThan(0.05);
  });

  it('reports missing grid points and the longest gap', () => {
    const d = generateDataset(samples, {
      metric: 'container_memory_working_set_bytes',
      type: 'memory',
      level: 'amf',
      start: DAY - 3_600_000,
      end: DAY + 3_600_000,
    });
    const s = d.summary.series[0]!;
    expect(s.missing).toBeGreaterThan(40); // the hour before the samples were read
    expect(s.longestGap).toBe(s.missing);
    expect(d.metadata).toMatchObject({
      metric: 'container_memory_working_set_bytes',
      level: 'amf',
      type: 'memory',
      step: 60_000,
      version: 1,
    });
    expect(JSON.parse(d.table.schema.metadata.get('amf_foresight')!)).toMatchObject({ type: 'memory' });
  });

  it('utilization is the CPU as % of quota/period', () => {
    const o = {
      metric: 'container_cpu_usage_seconds_total',
      level: 'amf' as const,
      start: DAY + 3_600_000,
      end: DAY + 7_200_000,
    };
    const cpu = Array.from(generateDataset(samples, { ...o, type: 'cpu' }).table.getChild('y')!) as number[];
    const util = Array.from(generateDataset(samples, { ...o, type: 'utilization' }).table.getChild('y')!) as number[];
    util.forEach((u, i) => expect(u).toBeCloseTo(cpu[i]! * 100, 9)); // AMF limit: 1 core (quota 100000 / period 100000)
  });

  it.each([
    [{ level: 'pod' }, 'BAD_LEVEL', 'unknown level "pod"'],
    [{ type: 'disk' }, 'BAD_TYPE', 'unknown type "disk"'],
    [
      { metric: 'container_network_receive_bytes_total' },
      'METRIC_ABSENT',
      'present: container_cpu_usage_seconds_total, container_memory_usage_bytes',
    ],
    [
      { nf: 'ausf' },
      'EMPTY_SELECTION',
      'no container_cpu_usage_seconds_total series for level amf of pods open5gs-ausf*',
    ],
    [{ step: 600_000 }, 'STEP_OVER_WINDOW', 'larger than --rate-window'],
    [{ metric: 'container_memory_usage_bytes' }, 'NOT_A_COUNTER', 'not one'],
  ])('bad input %j → %s', (bad, code, text) => {
    const o = {
      metric: 'container_cpu_usage_seconds_total',
      type: 'cpu',
      level: 'amf',
      start: DAY,
      end: DAY + 3_600_000,
      ...bad,
    } as never;
    expect(() => generateDataset(samples, o)).toThrow(
      expect.objectContaining({ code, message: expect.stringContaining(text) }),
    );
  });
});
