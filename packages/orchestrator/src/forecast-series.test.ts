import { describe, expect, it } from 'vitest';
import type { Fleet, FleetEntry } from './fleet.js';
import { boundQuantile, fleetSeries } from './forecast-series.js';

const T = Date.UTC(2023, 5, 12);
const H = 3_600_000;

function entry(metric: 'cpu' | 'memory'): FleetEntry {
  const ds = [T, T + H, T + 2 * H];
  return {
    namespace: 'openverso',
    workload: 'open5gs-amf',
    nf: 'amf',
    level: 'amf',
    metric,
    unit: metric === 'cpu' ? 'cores' : 'MiB',
    container: 'open5gs-amf',
    pods: ['open5gs-amf-1'],
    replicas: 1,
    currentLimit: metric === 'memory' ? 256 : null,
    history: { start: T - 3 * H, stepMs: H, mean: [1, 2, 3] },
    forecast: { ds, mean: [10, 20, 30], intervals: { '80': { lo: [9, 19, 29], hi: [11, 21, 31] } } },
    ours: {
      request: 25,
      limit: 40,
      expectedPeak: 33,
      schedule: [
        { start: T, request: 12 },
        { start: T + 2 * H, request: 31 },
      ],
    },
    krr: { request: 30, limit: null },
  } as unknown as FleetEntry;
}

const fleet = { kind: 'fleet', model: 'AUTO', entries: [entry('cpu'), entry('memory')] } as unknown as Fleet;

describe('forecasts and recommendations as Prometheus series', () => {
  it('names the bounds of an interval by their quantiles', () => {
    expect([80, 90, 95].flatMap((l) => [boundQuantile(l, 'lo'), boundQuantile(l, 'hi')])).toEqual([
      '0.1',
      '0.9',
      '0.05',
      '0.95',
      '0.025',
      '0.975',
    ]);
  });

  it('writes each forecast as quantile series in base units (memory in bytes), with its labels', () => {
    const s = fleetSeries(fleet).filter((x) => x.labels.__name__ === 'amf_foresight_forecast');
    const mem = s.filter((x) => x.labels.metric === 'memory');
    expect(mem.map((x) => x.labels.quantile)).toEqual(['0.5', '0.1', '0.9']);
    expect(mem[0]!.labels).toEqual({
      __name__: 'amf_foresight_forecast',
      namespace: 'openverso',
      workload: 'open5gs-amf',
      nf: 'amf',
      level: 'amf',
      container: 'open5gs-amf',
      metric: 'memory',
      model: 'AUTO',
      unit: 'bytes',
      quantile: '0.5',
    });
    expect(Array.from(mem[0]!.values)).toEqual([10, 20, 30].map((v) => v * 1_048_576));
    const cpu = s.find((x) => x.labels.metric === 'cpu' && x.labels.quantile === '0.9')!;
    expect(Array.from(cpu.values)).toEqual([11, 21, 31]);
    expect(Array.from(cpu.timestamps)).toEqual([T, T + H, T + 2 * H]);
  });

  it('writes every recommendation over the period: ours, the hourly schedule, KRR, the current limit', () => {
    const r = fleetSeries(fleet).filter((x) => x.labels.__name__ === 'amf_foresight_recommendation');
    const key = (x: (typeof r)[number]) => `${x.labels.metric} ${x.labels.method} ${x.labels.kind}`;
    expect(r.map(key)).toEqual([
      'cpu ours request',
      'cpu ours limit',
      'cpu ours expected_peak',
      'cpu ours hourly_request',
      'cpu krr-simple request',
      'memory current limit',
      'memory ours request',
      'memory ours limit',
      'memory ours expected_peak',
      'memory ours hourly_request',
      'memory krr-simple request',
    ]);
    const hourly = r.find((x) => key(x) === 'cpu ours hourly_request')!;
    expect(Array.from(hourly.values)).toEqual([12, 12, 31]);
    expect(Array.from(r.find((x) => key(x) === 'memory current limit')!.values)).toEqual(
      [256, 256, 256].map((v) => v * 1_048_576),
    );
  });
});
