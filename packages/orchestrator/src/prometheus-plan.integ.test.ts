import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger, silentProgress } from '@amf-foresight/core';
import type { Dataset } from '@amf-foresight/core';
import { generateStage } from '@amf-foresight/features';
import { localSource, prometheusSource } from '@amf-foresight/tsdb-ingest/reader';
import { prometheusForTests, tempDirs } from '@amf-foresight/test-servers';
import { Plan, runPlan } from './plan.js';
import { trainStage } from './train.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data/blocks');
const dirs = tempDirs('amf-prom-plan-');
const prom = prometheusForTests(SAMPLE, { beforeAll, afterAll }, dirs.cleanup);

describe('the Prometheus HTTP API source in a plan (a real Prometheus 2.42 on loopback)', () => {
  it('runs source → generate → train and gives the dataset the blocks give', async () => {
    const window = {
      start: Date.UTC(2023, 5, 6, 14),
      end: Date.UTC(2023, 5, 6, 16),
      matchers: '{namespace="openverso", pod=~"open5gs-amf.*"}',
      readBefore: 300_000,
    };
    const gen = generateStage({ metric: 'container_cpu_usage_seconds_total', type: 'cpu', level: 'amf' });
    const ctx = { logger: new MemoryLogger(), progress: silentProgress, signal: new AbortController().signal };
    const runs = dirs.make();
    const r = await runPlan(
      Plan.of(prometheusSource({ url: prom().url, ...window }))
        .then(gen)
        .then(trainStage({ model: 'NAIVE', horizon: 10, windows: 2 })),
      { target: { kind: 'run', runsDir: runs } },
      ctx,
    );
    expect(r.output.metrics.model).toBe('NAIVE');
    expect(readdirSync(r.runDir!)).toContain('forecast.parquet');
    expect(r.steps['process']!['source']).toBe(prom().url);
    const viaApi = await runPlan(Plan.of(prometheusSource({ url: prom().url, ...window })).then(gen), {}, ctx);
    const viaBlocks = await runPlan(Plan.of(localSource({ dataDir: SAMPLE, ...window })).then(gen), {}, ctx);
    const ys = (d: Dataset) => Array.from(d.table.getChild('y')!) as (number | null)[];
    const a = ys(viaApi.output);
    const b = ys(viaBlocks.output);
    expect(a).toHaveLength(121);
    expect(a.filter((v) => v !== null)).toHaveLength(121);
    a.forEach((v, i) => expect(Math.abs(v! - b[i]!)).toBeLessThanOrEqual(1e-9 * Math.abs(b[i]!)));
  });
});
