import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, MemoryLogger, silentProgress } from '@amf-foresight/core';
import type { Samples } from '@amf-foresight/core';
import { stopArimaWorker } from '@amf-foresight/models-arima';
import { localSource, parseSelector } from '@amf-foresight/tsdb-ingest/reader';
import { SeasonalNaive } from '@amf-foresight/models-seasonal';
import { fleetTable, recommendationsDocument, workloadPatches } from './fleet-artifacts.js';
import { runFleet, workloadMatchers } from './fleet.js';
import type { Fleet } from './fleet.js';
import { registerModel } from './registry.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data/blocks');
const DAY = 86_400_000;
const ctx = () => ({
  logger: new MemoryLogger(),
  progress: silentProgress,
  signal: new AbortController().signal,
  workDir: '.',
  record: () => undefined,
});
let samples: Samples;
let fleet: Fleet;

beforeAll(async () => {
  // Three days of the sample (Thursday to Saturday), the last one held out.
  const start = Date.UTC(2023, 5, 8);
  samples = await localSource({ dataDir: SAMPLE, start, end: start + 3 * DAY - 60_000, readBefore: 300_000 }).run(
    undefined,
    ctx(),
  );
  fleet = await runFleet(samples, { holdoutMs: DAY, workers: 0 }, ctx());
}, 300_000);
afterAll(stopArimaWorker);

describe('a fleet run on the sample', () => {
  it('covers every network function × level × metric, with all three methods’ figures', () => {
    expect(fleet.entries).toHaveLength(4 * 3 * 2);
    expect(new Set(fleet.entries.map((e) => e.nf))).toEqual(new Set(['amf', 'nrf', 'smf', 'upf']));
    for (const e of fleet.entries) {
      expect(e.error, `${e.workload} ${e.level} ${e.metric}`).toBeUndefined();
      expect(e.ours!.request).toBeGreaterThanOrEqual(0);
      expect(e.ours!.limit).toBeGreaterThanOrEqual(e.ours!.request);
      expect(e.ours!.schedule).toHaveLength(24); // a held-out day, hourly
      expect(Number.isFinite(e.vpa!.target)).toBe(true);
      expect(e.backtest!.methods.map((m) => m.method)).toEqual(['ours', 'ours-schedule', 'krr-simple', 'vpa-style']);
    }
    const amf = fleet.entries.find((e) => e.nf === 'amf' && e.level === 'amf' && e.metric === 'memory')!;
    expect(amf.container).toBe('open5gs-amf');
    expect(amf.currentLimit).toBe(512);
    expect(amf.pods).toHaveLength(2); // the restart on Friday
    expect(amf.replicas).toBe(1);
    // KRR's memory request is its limit, the peak × 1.15; ours sits below its own limit.
    expect(amf.krr!.request).toBe(amf.krr!.limit);
    expect(amf.ours!.request).toBeLessThan(amf.ours!.limit);
  });

  it('writes a versioned document, a patch per workload and every forecast as a table', () => {
    const doc = recommendationsDocument(fleet) as {
      schemaVersion: number;
      recommendations: unknown[];
      failed: unknown[];
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.recommendations).toHaveLength(24);
    expect(doc.failed).toEqual([]);
    const patches = workloadPatches(fleet);
    expect(patches.map((p) => p.name)).toEqual([
      'openverso.open5gs-amf',
      'openverso.open5gs-nrf',
      'openverso.open5gs-smf',
      'openverso.open5gs-upf',
    ]);
    expect(JSON.stringify(patches[0]!.patch)).toMatch(
      /"containers":\[\{"name":"open5gs-amf","resources":\{"requests":\{"cpu":"\d+m","memory":"\d+Mi"\},"limits":/,
    );
    expect(fleetTable(fleet).numRows).toBe(24 * 288);
  });

  it('a series that cannot be fitted is reported with its reason, and the others are done', async () => {
    // A model that refuses the small series (the pause containers' and NRF's CPU): the rest go on.
    registerModel(
      'REFUSES_SMALL',
      {
        params: {},
        load: () =>
          Promise.resolve({
            create: () =>
              Object.assign(new SeasonalNaive({ season: 288 }), {
                fit(this: SeasonalNaive, s: { y: ArrayLike<number> }) {
                  const mean = Array.from(s.y).reduce((a, v) => a + v, 0) / s.y.length;
                  if (mean < 0.05) throw new InputError('TOO_SMALL', `mean ${mean.toPrecision(2)} is too small`);
                  return SeasonalNaive.prototype.fit.call(this, s as never);
                },
              }),
            load: () => {
              throw new Error('not used');
            },
          }),
      },
      { replace: true },
    );
    const f = await runFleet(samples, { model: 'REFUSES_SMALL', metrics: ['cpu'], workers: 0, periodMs: DAY }, ctx());
    const failed = f.entries.filter((e) => e.error);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(f.entries.length);
    for (const e of failed)
      expect(e.error).toMatchObject({ code: 'TOO_SMALL', message: expect.stringMatching(/too small/) });
    expect(f.entries.filter((e) => !e.error).every((e) => e.ours !== undefined)).toBe(true);
  });

  it('a period longer than the history is one line, exit 2; an NF that is not there is exit 3', async () => {
    await expect(runFleet(samples, { periodMs: 4 * DAY, workers: 0 }, ctx())).rejects.toMatchObject({
      code: 'PERIOD_TOO_LONG',
      exitCode: 2,
    });
    await expect(runFleet(samples, { nfs: ['ausf'], periodMs: DAY, workers: 0 }, ctx())).rejects.toMatchObject({
      code: 'NO_WORKLOADS',
      exitCode: 3,
      message: expect.stringContaining('openverso: open5gs-amf, open5gs-nrf, open5gs-smf, open5gs-upf'),
    });
  });
});

describe('workloadMatchers: one workload of a fleet selector', () => {
  const amf = { namespace: 'site-1', name: 'open5gs-amf', nf: 'amf' };
  it.each([
    ['{__name__=~"a|b"}', '{__name__=~"a|b", namespace="site-1", pod=~"open5gs-amf.*"}'],
    ['{__name__=~"a|b",}', '{__name__=~"a|b", namespace="site-1", pod=~"open5gs-amf.*"}'],
    [
      'container_memory_working_set_bytes',
      'container_memory_working_set_bytes{namespace="site-1", pod=~"open5gs-amf.*"}',
    ],
    ['x{}', 'x{namespace="site-1", pod=~"open5gs-amf.*"}'],
    [undefined, '{namespace="site-1", pod=~"open5gs-amf.*"}'],
  ])('%s', (selector, want) => {
    expect(workloadMatchers(selector, amf)).toBe(want);
  });

  it('selects exactly the pods the usage is computed from, whatever their names hold', () => {
    const w = { namespace: 'a"b', name: 'open5gs-n.f', nf: 'n.f' };
    const m = parseSelector(workloadMatchers('{__name__="m"}', w));
    const pod = m.find((x) => x.name === 'pod')!;
    expect(m.find((x) => x.name === 'namespace')).toMatchObject({ type: '=', value: 'a"b' });
    expect(['open5gs-n.f-0', 'open5gs-n.f2-abc'].map((p) => pod.matches(p))).toEqual([true, true]);
    expect(pod.matches('open5gs-nxf-0')).toBe(false);
  });
});
