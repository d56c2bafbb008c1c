import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, makeVector } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, NotFittedError, futureTimes, normalIntervals, silentProgress } from '@amf-foresight/core';
import type { Dataset, Forecast, Forecaster, Samples, SeriesInput, Stage } from '@amf-foresight/core';
import { generateStage } from '@amf-foresight/features';
import { localSource } from '@amf-foresight/tsdb-ingest/reader';
import { tempDirs } from '@amf-foresight/test-servers';
import { Plan, runPlan } from './plan.js';
import { makeModel, modelParams, registerModel } from './registry.js';
import { parseS3Url } from './upload.js';
import { trainStage } from './train.js';
import type { Trained } from './train.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data/blocks');
const dirs = tempDirs('amf-plan-');
afterAll(dirs.cleanup);
const ctx = (signal = new AbortController().signal) => ({
  logger: new MemoryLogger(),
  progress: silentProgress,
  signal,
});

/** A forecaster written by a user: the last value, with fixed-width intervals. */
class LastValue implements Forecaster {
  readonly name = 'LASTVALUE';
  fits = 0;
  private last: { ds: number; y: number; step: number } | undefined;
  fit(s: SeriesInput): Promise<this> {
    const ys = Array.from(s.y).filter((v) => !Number.isNaN(v));
    this.last = { ds: s.ds[s.ds.length - 1]!, y: ys[ys.length - 1]!, step: s.ds[1]! - s.ds[0]! };
    this.fits++;
    return Promise.resolve(this);
  }
  predict(h: number): Forecast {
    if (!this.last) throw new NotFittedError(this.name);
    const mean = new Float64Array(h).fill(this.last.y);
    return {
      ds: futureTimes(this.last.ds, this.last.step, h),
      mean,
      intervals: normalIntervals(mean, new Array<number>(h).fill(0.01)),
    };
  }
  save(): void {}
}

/** A stage written by a user: drops the series of the pods whose name starts with `prefix`. */
const dropPods = (prefix: string): Stage<Samples, Samples> => ({
  name: 'drop-pods',
  run: (s, c) => {
    const podCol = s.series.getChild('pod')!;
    const drop = Array.from({ length: s.series.numRows }, (_, i) => String(podCol.get(i) ?? '').startsWith(prefix));
    const sid = s.samples.getChild('series_id')!.toArray() as Uint32Array;
    const t = s.samples.getChild('t')!.toArray() as BigInt64Array;
    const v = s.samples.getChild('v')!.toArray() as Float64Array;
    const keep = [...sid.keys()].filter((i) => !drop[sid[i]!]);
    c.record({ droppedSeries: drop.filter(Boolean).length });
    const samples = new Table({
      series_id: makeVector(Uint32Array.from(keep, (i) => sid[i]!)),
      t: makeVector(BigInt64Array.from(keep, (i) => t[i]!)),
      v: makeVector(Float64Array.from(keep, (i) => v[i]!)),
    });
    return Promise.resolve({ ...s, samples });
  },
});

describe('plans', () => {
  const window = {
    start: Date.UTC(2023, 5, 6, 14),
    end: Date.UTC(2023, 5, 6, 16),
    matchers: '{namespace="openverso", pod=~"open5gs-(amf|smf).*"}',
  };

  it(
    'chain typed stages: source → a stage of yours → generate → train with your Forecaster, persisted ' +
      'by the runner',
    async () => {
      const runs = dirs.make();
      const mine = new LastValue();
      const plan = Plan.of(localSource({ dataDir: SAMPLE, ...window, readBefore: 300_000 }))
        .then(dropPods('open5gs-smf'))
        .then(generateStage({ metric: 'container_cpu_usage_seconds_total', type: 'cpu', level: 'amf' }))
        .then(trainStage({ model: mine, horizon: 5, windows: 2 }));
      expect(plan.names()).toEqual(['process', 'drop-pods', 'generate', 'train']);
      const r = await runPlan(plan, { target: { kind: 'run', runsDir: runs }, inputs: { test: true } }, ctx());
      const out: Trained = r.output;
      expect(out.metrics.model).toBe('LASTVALUE');
      expect(mine.fits).toBeGreaterThanOrEqual(3); // backtest windows, prototype split, final fit
      expect(readdirSync(r.runDir!).sort()).toEqual([
        'dataset.html',
        'dataset.parquet',
        'dataset.png',
        'forecast.html',
        'forecast.parquet',
        'forecast.png',
        'metrics.json',
        'model',
        'run.json',
        'samples',
      ]);
      const run = JSON.parse(readFileSync(join(r.runDir!, 'run.json'), 'utf8')) as {
        steps: Record<string, Record<string, unknown>>;
        inputs: unknown;
        metrics: { model: string };
      };
      expect(Object.keys(run.steps)).toEqual(['process', 'drop-pods', 'generate', 'train']);
      expect(run.steps['drop-pods']!['droppedSeries']).toBeGreaterThan(0);
      expect(run.metrics.model).toBe('LASTVALUE');
      expect(readlinkSync(join(runs, 'latest'))).toBe(r.runId);
    },
  );

  it('a plan refuses two stages of one name', () => {
    const s: Stage<undefined, number> = { name: 'x', run: () => Promise.resolve(1) };
    const t: Stage<number, number> = { name: 'x', run: (n) => Promise.resolve(n + 1) };
    expect(() => Plan.of(s).then(t)).toThrow(expect.objectContaining({ code: 'PLAN_DUPLICATE_STAGE' }));
  });

  // Issue 13, finding 8: SIGKILL or a second Ctrl-C left runs/.tmp-<id>/ forever.
  it('a new run removes the temporary directories of killed runs, and keeps those of live ones', async () => {
    const runs = dirs.make();
    const leftover = (name: string, pid?: number) => {
      mkdirSync(join(runs, name, '.work'), { recursive: true });
      if (pid !== undefined) writeFileSync(join(runs, name, '.work', 'owner'), String(pid));
      return join(runs, name);
    };
    const dead = leftover('.tmp-killed', spawnSync(process.execPath, ['-e', '0']).pid);
    const live = leftover('.tmp-running', process.pid);
    const old = leftover('.tmp-old-version'); // no owner: removed once untouched for an hour
    utimesSync(old, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    const fresh = leftover('.tmp-just-started');
    const one: Stage<undefined, number> = { name: 'one', run: () => Promise.resolve(1) };
    await runPlan(Plan.of(one), { target: { kind: 'run', runsDir: runs } }, ctx());
    expect([dead, live, old, fresh].map((d) => existsSync(d))).toEqual([false, true, false, true]);
  });

  it('a failing or cancelled plan leaves no run directory', async () => {
    const runs = dirs.make();
    const fail: Stage<undefined, Dataset> = { name: 'boom', run: () => Promise.reject(new Error('boom')) };
    await expect(runPlan(Plan.of(fail), { target: { kind: 'run', runsDir: runs } }, ctx())).rejects.toThrow('boom');
    expect(readdirSync(runs)).toEqual([]);
    const ac = new AbortController();
    const slow: Stage<undefined, number> = {
      name: 'slow',
      run: () => new Promise((res) => setTimeout(() => res(1), 50)),
    };
    const next: Stage<number, number> = { name: 'next', run: (n) => Promise.resolve(n) };
    const p = runPlan(Plan.of(slow).then(next), { target: { kind: 'run', runsDir: runs } }, ctx(ac.signal));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED', exitCode: 130 });
    expect(readdirSync(runs)).toEqual([]);
  });

  it('a finished run is never written over', async () => {
    const runs = dirs.make();
    const one: Stage<undefined, number> = { name: 'one', run: () => Promise.resolve(1) };
    await runPlan(Plan.of(one), { target: { kind: 'run', runsDir: runs, runId: 'r1' } }, ctx());
    expect(existsSync(join(runs, 'r1', 'run.json'))).toBe(true);
    await expect(
      runPlan(Plan.of(one), { target: { kind: 'run', runsDir: runs, runId: 'r1' } }, ctx()),
    ).rejects.toMatchObject({ code: 'RUN_DIR_EXISTS', exitCode: 2 });
  });
});

describe('the model registry', () => {
  it('takes a model of yours by name, with its own parameters checked', async () => {
    registerModel('lastvalue', {
      params: { width: { type: 'number', min: 0, describe: 'interval width' } },
      load: () => Promise.resolve({ create: () => new LastValue(), load: () => new LastValue() }),
    });
    expect(Object.keys(modelParams('LastValue'))).toEqual(['width']);
    expect((await makeModel('LASTVALUE', { params: { width: '0.5' } })).name).toBe('LASTVALUE');
    await expect(makeModel('lastvalue', { params: { colour: 'red' } })).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL_PARAM',
      details: { hint: 'it takes width' },
    });
    await expect(makeModel('lastvalue', { params: { width: '-1' } })).rejects.toMatchObject({
      code: 'BAD_MODEL_PARAM',
      message: 'LASTVALUE parameter width must be a number ≥ 0, got "-1"',
    });
    await expect(makeModel('ARIMA', { params: { maxOrder: '1.5' } })).rejects.toMatchObject({
      message: 'ARIMA parameter maxOrder must be a whole number from 0 to 5, got "1.5"',
    });
    expect(() => registerModel('LASTVALUE', { params: {}, load: () => Promise.reject(new Error('x')) })).toThrow(
      expect.objectContaining({ code: 'MODEL_REGISTERED' }),
    );
  });

  it('checks the built-in models’ parameters before loading them', async () => {
    await expect(makeModel('ARIMA', { params: { order: '1,1' } })).rejects.toMatchObject({ code: 'BAD_MODEL_PARAM' });
    await expect(makeModel('PROPHET', { params: { daily: 'sometimes' } })).rejects.toMatchObject({
      code: 'BAD_MODEL_PARAM',
    });
    const arima = await makeModel('arima', { params: { order: '1,0,0' } });
    expect((arima as unknown as { params: { order: number[] } }).params.order).toEqual([1, 0, 0]);
    const prophet = await makeModel('prophet', { params: { daily: '4', seed: '3' } });
    expect((prophet as unknown as { params: Record<string, unknown> }).params).toMatchObject({ daily: 4, seed: 3 });
  });
});

describe('secrets and keys', () => {
  it('run.json keeps no credentials of the URLs it records', async () => {
    const runs = dirs.make();
    const one: Stage<undefined, number> = { name: 'one', run: () => Promise.resolve(1) };
    const r = await runPlan(
      Plan.of(one),
      { target: { kind: 'run', runsDir: runs }, inputs: { endpoint: 'http://KEY:SECRET@127.0.0.1:9000' } },
      ctx(),
    );
    const text = readFileSync(join(r.runDir!, 'run.json'), 'utf8');
    expect(text).not.toContain('SECRET');
    expect(text).toContain('http://127.0.0.1:9000');
  });

  it('upload URLs: prefixes normalised, . and .. segments and credentials refused', () => {
    expect(parseS3Url('s3://amf//up///runs/')).toEqual({ bucket: 'amf', prefix: 'up/runs' });
    expect(() => parseS3Url('s3://amf/up/../../x')).toThrow(expect.objectContaining({ code: 'BAD_UPLOAD_URL' }));
    expect(() => parseS3Url('s3://KEY:SECRET@amf/p')).toThrow(expect.objectContaining({ code: 'SECRET_IN_URL' }));
  });
});
