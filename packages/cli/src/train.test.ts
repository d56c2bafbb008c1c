import type { TrainMetrics } from '@amf-foresight/orchestrator';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquetFile, writeParquetFile } from '@amf-foresight/tsdb-ingest';
import { stopArimaWorker } from '@amf-foresight/models-arima';
import { runCli, tempDirs } from './cli.test-util.js';

const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
const dirs = tempDirs('amf-train-');
let work = '';
let dataset = '';

function writeDataset(path: string, y: (number | null)[]): void {
  const t = new Table({
    unique_id: vectorFromArray(
      y.map(() => 'x'),
      new Utf8(),
    ),
    ds: vectorFromArray(
      y.map((_, i) => Date.UTC(2023, 5, 5) + i * 300_000),
      new TimestampMillisecond('UTC'),
    ),
    y: vectorFromArray(y, new Float64()),
  });
  writeParquetFile(path, t, { version: 1 });
}

beforeAll(async () => {
  work = dirs.make();
  dataset = join(work, 'amf.parquet');
  expect(
    (
      await runCli([
        'process',
        '--quiet',
        '--start',
        '2023-06-07 00:00:00',
        '--end',
        '2023-06-10 00:00:00',
        '--local-path',
        SAMPLE,
        '--out-dir',
        join(work, 's'),
        '--logs-dir',
        join(work, 'logs'),
        '--match',
        '{pod=~"open5gs-amf.*"}',
      ])
    ).code,
  ).toBe(0);
  expect(
    (
      await runCli([
        'generate',
        '--quiet',
        '--metric',
        'container_cpu_usage_seconds_total',
        '--type',
        'cpu',
        '--level',
        'amf',
        '--step',
        '5m',
        '--data-dir',
        join(work, 's'),
        '--out',
        dataset,
        '--logs-dir',
        join(work, 'logs'),
      ])
    ).code,
  ).toBe(0);
}, 60_000);
afterAll(async () => {
  await stopArimaWorker();
  dirs.cleanup();
});

describe('amf-foresight train and forecast', () => {
  it('trains, evaluates (prototype split and backtest), saves model, forecast and metrics', async () => {
    const out = join(work, 'run-snaive');
    const r = await runCli([
      'train',
      '--data',
      dataset,
      '--model',
      'snaive',
      '--out-dir',
      out,
      '--output',
      'json',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as TrainMetrics;
    expect(metrics).toMatchObject({
      model: 'SNAIVE',
      series: 'openverso/open5gs-amf/amf',
      backtest: { horizon: 12, windows: 7 },
    });
    expect(metrics.prototype.testMse).toBeGreaterThan(0);
    expect(metrics.backtest.mean.mase).toBeGreaterThan(0);
    expect(existsSync(join(out, 'model', 'manifest.json'))).toBe(true);
    const f = readParquetFile(join(out, 'forecast.parquet')).table;
    expect(f.schema.fields.map((x) => x.name)).toEqual([
      'unique_id',
      'ds',
      'SNAIVE',
      'SNAIVE-lo-80',
      'SNAIVE-hi-80',
      'SNAIVE-lo-90',
      'SNAIVE-hi-90',
      'SNAIVE-lo-95',
      'SNAIVE-hi-95',
    ]);
    expect(f.numRows).toBe(12);
    const fc = await runCli(['forecast', '--model-dir', join(out, 'model'), '--horizon', '5']);
    expect(fc.code).toBe(0);
    expect(fc.out.trim().split('\n')).toHaveLength(6);
    expect(fc.out.split('\n')[1]).toMatch(/^openverso\/open5gs-amf\/amf,2023-06-10T00:05:00.000Z,/);
  });

  it('trains ARIMA with its order search', async () => {
    const out = join(work, 'run-arima');
    const r = await runCli([
      'train',
      '--data',
      dataset,
      '--model',
      'ARIMA',
      '--out-dir',
      out,
      '--quiet',
      '--windows',
      '3',
    ]);
    expect(r.code).toBe(0);
    expect((JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as TrainMetrics).model).toBe('ARIMA');
  }, 60_000);

  it.each([
    [['--model', 'xgboost'], 2, 'unknown model "xgboost"'],
    [['--model', 'arima', '--horizon', '0'], 2, 'the horizon must be a whole number of steps ≥ 1'],
    [[], 2, '--train needs --model'],
  ])('%j: exit %i', async (args, code, text) => {
    const r = await runCli(['train', '--data', dataset, '--out-dir', join(dirs.make(), 'o'), ...args]);
    expect(r.code).toBe(code);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(text);
  });

  it('refuses series with too many gaps or no values at all (exit 2), and a missing dataset (exit 3)', async () => {
    const sparse = join(dirs.make(), 'sparse.parquet');
    writeDataset(
      sparse,
      Array.from({ length: 600 }, (_, i) => (i % 3 ? null : i)),
    );
    const r = await runCli(['train', '--data', sparse, '--model', 'snaive', '--out-dir', join(dirs.make(), 'o')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('points are missing');
    const empty = join(dirs.make(), 'empty.parquet');
    writeDataset(empty, new Array<number | null>(600).fill(null));
    const e = await runCli(['train', '--data', empty, '--model', 'arima', '--out-dir', join(dirs.make(), 'o')]);
    expect(e.code).toBe(2);
    expect(e.err.trim().split('\n')).toHaveLength(1);
    expect(e.err).toContain('600 of 600 points are missing');
    const missing = await runCli(['train', '--data', '/nonexistent.parquet', '--model', 'snaive']);
    expect(missing.code).toBe(3);
  });

  it('auto: one-line errors for all missing, 3 points, horizon 0; a constant series forecast as it is', async () => {
    const oneLine = async (values: (number | null)[], extra: string[], text: string) => {
      const file = join(dirs.make(), 'd.parquet');
      writeDataset(file, values);
      const r = await runCli([
        'train',
        '--data',
        file,
        '--model',
        'auto',
        '--quiet',
        '--out-dir',
        join(dirs.make(), 'o'),
        ...extra,
      ]);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).toContain(text);
    };
    await oneLine(new Array<number | null>(600).fill(null), [], '600 of 600 points are missing');
    await oneLine([1, 2, 3], [], 'SERIES_TOO_SHORT');
    await oneLine([1, 2, 3, 4, 5], ['--horizon', '0'], 'the horizon must be a whole number of steps ≥ 1');
    const flat = join(dirs.make(), 'flat.parquet');
    writeDataset(flat, new Array<number>(700).fill(3));
    const out = join(dirs.make(), 'o');
    expect((await runCli(['train', '--data', flat, '--model', 'auto', '--out-dir', out, '--quiet'])).code).toBe(0);
    const row = (await runCli(['forecast', '--model-dir', join(out, 'model'), '--horizon', '2'])).out.split('\n')[1]!;
    expect(row.split(',').slice(2).map(Number)).toEqual([3, 3, 3, 3, 3, 3, 3]); // mean and every bound
  });

  // Issue 13, finding 2: these were stack traces with exit 1.
  it('a dataset that is not Parquet, and an output path under a file: one line, exit 2', async () => {
    const d = dirs.make();
    const good = join(d, 'good.parquet');
    writeDataset(
      good,
      Array.from({ length: 300 }, (_, i) => i % 7),
    );
    const bytes = readFileSync(good);
    const flipped = Buffer.from(bytes);
    // In the footer: pages have no checksum, so a flip in the data may still read.
    flipped[flipped.length - 40] = flipped[flipped.length - 40]! ^ 0xff;
    const cases: [string, Buffer | string][] = [
      ['empty.parquet', ''],
      ['data.csv', 'unique_id,ds,y\nx,2023-06-05,1\n'],
      ['truncated.parquet', bytes.subarray(0, bytes.length - 100)],
      ['flipped.parquet', flipped],
    ];
    for (const [name, content] of cases) {
      writeFileSync(join(d, name), content);
      const r = await runCli(['train', '--data', join(d, name), '--model', 'arima', '--quiet']);
      expect(r.code, `${name}: ${r.err}`).toBe(2);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).toContain('is not a readable Parquet file');
    }
    const r = await runCli(['train', '--data', good, '--model', 'naive', '--quiet', '--out-dir', join(good, 'x')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/not a directory.*\[SYSTEM_ENOTDIR\]/);
  });

  // Issue 13, finding 4: these loaded and forecast garbage with exit 0.
  it('a damaged model directory is refused in one line, exit 2: schema, numbers, times, checksums', async () => {
    const data = join(dirs.make(), 'd.parquet');
    writeDataset(
      data,
      Array.from({ length: 400 }, (_, i) => 5 + Math.sin(i / 9)),
    );
    const out = join(dirs.make(), 'o');
    expect((await runCli(['train', '--data', data, '--model', 'arima', '--out-dir', out, '--quiet'])).code).toBe(0);
    const pristine = join(out, 'model');
    const forecast = async (dir: string, code: RegExp) => {
      const r = await runCli(['forecast', '--model-dir', dir, '--horizon', '3']);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).toMatch(code);
    };
    const copy = (edit: (m: Record<string, unknown> & { payload: Record<string, number[]> }) => void) => {
      const dir = join(dirs.make(), 'model');
      cpSync(pristine, dir, { recursive: true });
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Parameters<typeof edit>[0];
      delete m['checksums']; // as a model saved by save() alone: only the schema checks stand
      edit(m);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
      return dir;
    };
    await forecast(
      copy((m) => void (m.payload['mean']![0] = 'x' as unknown as number)),
      /mean\[0\] is not a finite/,
    );
    await forecast(
      copy((m) => void (m.payload['variance']![1] = -1)),
      /variance\[1\] is -1, below 0/,
    );
    await forecast(
      copy((m) => void (m['stepMs'] = 0)),
      /stepMs is 0, below 1/,
    );
    await forecast(
      copy((m) => void (m['lastDs'] = 1e300)),
      /lastDs is 1e\+300/,
    );
    await forecast(
      copy((m) => void (m['formatVersion'] = 0)),
      /formatVersion 0 is not a format/,
    );
    await forecast(
      copy((m) => void (m['params'] = null)),
      /params is not an object/,
    );
    const badCal = copy(() => undefined);
    writeFileSync(join(badCal, 'conformal.json'), '{"absErrors": [[-1]]}');
    await forecast(badCal, /absErrors\[0\]\[0\] is -1/);
    const badSeries = copy(() => undefined);
    writeFileSync(join(badSeries, 'series.json'), '{}');
    await forecast(badSeries, /series.json: unique_id is not a name/);
    // Issue 13, finding 3: a manifest or payload linked to /dev/zero was read until memory ran out.
    for (const file of ['manifest.json', 'conformal.json']) {
      const zero = join(dirs.make(), 'model');
      cpSync(pristine, zero, { recursive: true });
      rmSync(join(zero, file));
      symlinkSync('/dev/zero', join(zero, file));
      await forecast(zero, new RegExp(`${file}: not a regular file.*\\[MODEL_BAD_FILE\\]`));
    }
    // Sealed as train wrote it: a file added (a stale conformal.json of an earlier auto) or changed is refused.
    const stale = join(dirs.make(), 'model');
    cpSync(pristine, stale, { recursive: true });
    writeFileSync(join(stale, 'extra.json'), '{}');
    await forecast(stale, /extra.json was not written with the model.*\[MODEL_CHECKSUM_MISMATCH\]/);
    writeFileSync(join(pristine, 'conformal.json'), '{"absErrors": [[0]]}');
    await forecast(pristine, /conformal.json changed since it was written/);
  });

  it('a constant series forecasts its constant; a model dir from a newer version is refused', async () => {
    const flat = join(dirs.make(), 'flat.parquet');
    writeDataset(flat, new Array<number>(700).fill(3));
    const out = join(dirs.make(), 'o');
    expect((await runCli(['train', '--data', flat, '--model', 'mstl', '--out-dir', out, '--quiet'])).code).toBe(0);
    const fc = await runCli(['forecast', '--model-dir', join(out, 'model'), '--horizon', '2']);
    expect(fc.out.split('\n')[1]!.split(',')[2]).toBe('3');
    writeFileSync(join(out, 'model', 'manifest.json'), JSON.stringify({ formatVersion: 7, model: 'MSTL' }));
    const r = await runCli(['forecast', '--model-dir', join(out, 'model')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('newer than this version reads');
  });
});
