import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { readParquetFile, writeParquetFile } from '@amf-foresight/tsdb-ingest/parquet';
import { consoleOutput } from './console.js';
import { main } from './main.js';
import { runCli, tempDirs } from './cli.test-util.js';

const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
const dirs = tempDirs('amf-cli-fixes-');
afterAll(dirs.cleanup);
const WINDOW = ['--start', '2023-06-06 14:00:00', '--end', '2023-06-06 16:00:00'];
const CPU = ['--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'amf'];
interface RunJson {
  metrics: { model: string };
  steps: Record<string, Record<string, unknown> & { dir?: string; clipped?: { used: string[] }; series?: string[] }>;
}
/** The sample blocks in, runs and logs under `d`. */
const where = (d: string) => ['--local-path', SAMPLE, '--runs-dir', join(d, 'runs'), '--logs-dir', join(d, 'logs')];
/** The prototype's --process --generate (AMF cpu, 14:00–16:00) on the sample, plus `extra` flags. */
const processGenerate = (d: string, extra: string[]) =>
  runCli(['--process', ...WINDOW, '--generate', ...CPU, ...extra, ...where(d)]);
const json = (s: string): RunJson => JSON.parse(readFileSync(s, 'utf8')) as RunJson;
const read = (s: string): unknown => JSON.parse(readFileSync(s, 'utf8'));

describe('what a new user hit first', () => {
  it('--version is the CLI’s own, not the version of the project it runs in', async () => {
    const d = dirs.make();
    writeFileSync(join(d, 'package.json'), JSON.stringify({ name: 'somebody-else', version: '1.0.0' }));
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const r = await runCli(['--version']);
      expect(r.out.trim()).toBe((read(join(import.meta.dirname, '../package.json')) as { version: string }).version);
    } finally {
      process.chdir(cwd);
    }
  });

  it(
    'train writes a new run and never touches a finished one; generate alone finds the newest samples; ' +
      'forecast --output json; errors in JSON',
    async () => {
      const d = dirs.make();
      const base = where(d);
      const a = await runCli(['--process', ...WINDOW, '--generate', ...CPU, ...base, '--output', 'json']);
      expect(a.code, a.err).toBe(0);
      const runA = (JSON.parse(a.out) as { runDir: string }).runDir;
      const before = readFileSync(join(runA, 'run.json'), 'utf8');
      // (3) train on the finished run's dataset: a new run, the old one untouched.
      const t = await runCli([
        'train',
        '--data',
        join(d, 'runs/latest/dataset.parquet'),
        '--model',
        'SNAIVE',
        '--season',
        '30',
        '--horizon',
        '5',
        '--windows',
        '2',
        '--runs-dir',
        join(d, 'runs'),
        '--logs-dir',
        join(d, 'logs'),
        '--output',
        'json',
      ]);
      expect(t.code, t.err).toBe(0);
      const runB = (JSON.parse(t.out) as { runDir: string }).runDir;
      expect(runB).not.toBe(runA);
      expect(readFileSync(join(runA, 'run.json'), 'utf8')).toBe(before);
      expect(readdirSync(runA)).not.toContain('model');
      // The train run keeps the dataset it trained on, so runs/latest/dataset.parquet stays valid for the next one.
      expect(readdirSync(runB)).toEqual(expect.arrayContaining(['dataset.parquet', 'model', 'run.json']));
      expect(json(join(runB, 'run.json')).metrics.model).toBe('SNAIVE');
      const again = await runCli([
        'train',
        '--data',
        join(runA, 'dataset.parquet'),
        '--model',
        'NAIVE',
        '--out-dir',
        runA,
      ]);
      expect(again.code).toBe(2);
      expect(again.err).toContain('[RUN_DIR_EXISTS]');
      // (4) the prototype's --generate alone after a run without samples: the newest run that has some.
      const g = await runCli(['--generate', ...CPU, ...base]);
      expect(g.code, g.err).toBe(0);
      const runC = join(d, 'runs/latest');
      expect(json(join(runC, 'run.json')).steps['samples']!.dir).toBe(join(runA, 'samples'));
      // (2) forecast --output json is JSON; an error under --output json is one JSON line.
      const f = await runCli(['forecast', '--model-dir', join(runB, 'model'), '--horizon', '3', '--output', 'json']);
      expect(f.code, f.err).toBe(0);
      const doc = JSON.parse(f.out) as { columns: string[]; rows: Record<string, unknown>[] };
      expect(doc.columns.slice(0, 3)).toEqual(['unique_id', 'ds', 'SNAIVE']);
      expect(doc.rows).toHaveLength(3);
      const file = join(d, 'out', 'f.parquet');
      const p = await runCli(['forecast', '--model-dir', join(runB, 'model'), '--horizon', '4', '--out', file]);
      expect(p.code, p.err).toBe(0);
      expect(readParquetFile(file).table.numRows).toBe(4);
      const e = await runCli(['forecast', '--model-dir', join(d, 'nothing'), '--output', 'json']);
      expect(e.code).toBe(2);
      expect(JSON.parse(e.err)).toMatchObject({ error: { code: 'MODEL_NO_MANIFEST', exitCode: 2 } });
      const u = await runCli(['train', '--no-such-flag', '--output', 'json']);
      expect(u.code).toBe(2);
      expect(JSON.parse(u.err)).toMatchObject({ error: { code: 'USAGE', exitCode: 2 } });
    },
  );

  it('(8) a saved ARIMA forecasts past the horizon it was trained for', async () => {
    const d = dirs.make();
    const r = await processGenerate(d, ['--train', '--model', 'ARIMA', '--horizon', '30', '--windows', '1']);
    expect(r.code, r.err).toBe(0);
    const f = await runCli([
      'forecast',
      '--model-dir',
      join(d, 'runs/latest/model'),
      '--horizon',
      '60',
      '--output',
      'json',
    ]);
    expect(f.code, f.err).toBe(0);
    expect((JSON.parse(f.out) as { rows: unknown[] }).rows).toHaveLength(60);
  });

  it(
    '(6) --nf smf names its series …/open5gs-smf/smf; (7) a window partly outside the data warns once ' +
      'and is recorded',
    async () => {
      const d = dirs.make();
      const r = await runCli([
        '--process',
        '--start',
        '2023-06-04 22:00:00',
        '--end',
        '2023-06-05 02:00:00',
        '--generate',
        ...CPU,
        '--nf',
        'smf',
        '--local-path',
        SAMPLE,
        '--runs-dir',
        join(d, 'runs'),
        '--logs-dir',
        join(d, 'logs'),
      ]);
      expect(r.code, r.err).toBe(0);
      const warnings = r.err.split('\n').filter((l) => l.startsWith('warning: '));
      expect(warnings).toEqual([
        'warning: the window 2023-06-04 22:00:00 to 2023-06-05 02:00:00 reaches outside the data ' +
          '(2023-06-05 00:00:00 to 2023-06-11 23:59:45 UTC): only 2023-06-05 00:00:00 to 2023-06-05 ' +
          '02:00:00 has data',
      ]);
      const run = json(join(d, 'runs/latest/run.json'));
      expect(run.steps['process']!.clipped!.used).toEqual(['2023-06-05 00:00:00', '2023-06-05 02:00:00']);
      expect(run.steps['generate']!.series).toEqual(['openverso/open5gs-smf/smf']);
    },
  );

  it('(9) progress: process, generate and train report it; off a terminal no control characters', async () => {
    const d = dirs.make();
    const r = await processGenerate(d, ['--train', '--model', 'NAIVE', '--horizon', '5', '--windows', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^process: \d+ samples of \d+ series/m);
    expect(r.err).toMatch(/^generate: 1 series of 121 points/m);
    expect(r.err).toMatch(/^train NAIVE: backtest MASE/m);
    expect(r.err).not.toMatch(/[\r\x1b]/);
  });

  it('(9) on a terminal the progress line is cleared before a log line, so the two never run together', () => {
    let err = '';
    const { logger, progress } = consoleOutput({ out: () => {}, err: (t) => (err += t), isTTY: true });
    progress.start('train', 10, 'fits');
    const t0 = Date.now();
    while (Date.now() - t0 < 250); // past the 200 ms redraw interval
    progress.advance(3);
    logger.info('a log line');
    progress.done('ok');
    expect(err).toMatch(
      /^\rtrain: 30 %, 3 fits of 10 fits, \d+ s\x1b\[K\r\x1b\[Ka log line\ntrain: ok \(\d+\.\d s\)\n$/,
    );
  });
});

describe('the model flags', () => {
  it('--model-param reaches the model, checked against its parameters', async () => {
    const d = dirs.make();
    mkdirSync(join(d, 'x'));
    const bad = await runCli([
      'train',
      '--data',
      join(d, 'x.parquet'),
      '--model',
      'ARIMA',
      '--model-param',
      'colour=red',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('ARIMA has no parameter "colour"');
    const r = await processGenerate(d, [
      '--train',
      '--model',
      'ARIMA',
      '--model-param',
      'order=1,0,0',
      '--horizon',
      '5',
      '--windows',
      '1',
    ]);
    expect(r.code, r.err).toBe(0);
    expect((read(join(d, 'runs/latest/model/manifest.json')) as { params: { order: number[] } }).params.order).toEqual([
      1, 0, 0,
    ]);
    expect(main).toBeTypeOf('function');
  });
});

describe('secrets in URLs (issue 13, finding 6)', () => {
  it.each([
    [['download', '--bucket', 'b', '--endpoint', 'http://KEY:SECRET@127.0.0.1:9']],
    [['--train', '--data', 'x.parquet', '--model', 'NAIVE', '--upload', 's3://KEY:SECRET@bucket/p']],
  ])('%j: one line, exit 2, the secret not repeated', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('[SECRET_IN_URL]');
    expect(r.err).not.toContain('SECRET@');
  });
});

describe('options that lied (issue 13, finding 5)', () => {
  it.each([
    [['download', '--bucket', 'b', '--concurrency', '0'], 'BAD_CONCURRENCY'],
    [['download', '--bucket', 'b', '--concurrency', '-2'], 'BAD_CONCURRENCY'],
    [['train', '--data', 'x.parquet', '--model', 'SNAIVE', '--season', '0'], 'BAD_SEASON'],
    [['train', '--data', 'x.parquet', '--model', 'SNAIVE', '--season', '-3'], 'BAD_SEASON'],
    [['train', '--data', 'x.parquet', '--model', 'NAIVE', '--backtest-step', '0'], 'BAD_BACKTEST_STEP'],
    [['download', '--bucket', 'a', '--bucket', 'a'], 'USAGE'],
    [['download', '--bucket', 'b', '--endpoint', 'http://127.0.0.1:1', '--endpoint=http://127.0.0.1:2'], 'USAGE'],
  ])('%j: one line, exit 2, [%s]', async (args, code) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toContain(`[${code}]`);
    if (code === 'USAGE') expect(r.err).toMatch(/--(bucket|endpoint) was given more than once/);
  });

  // Finding 3: both ran out of memory.
  it('a horizon of 10⁹ steps and a 1 ms grid are refused in one line before any memory goes', async () => {
    const h = await runCli(['train', '--data', 'x.parquet', '--model', 'NAIVE', '--horizon', '1000000000']);
    expect(h.code).toBe(2);
    expect(h.err).toMatch(/the horizon is at most 100000 steps.*\[HORIZON_TOO_LONG\]/);
    const d = dirs.make();
    const g = await processGenerate(d, ['--step', '1ms', '--quiet']);
    expect(g.code, g.err).toBe(2);
    expect(g.err.trim().split('\n')).toHaveLength(1);
    expect(g.err).toMatch(/a grid of 7200001 points.*\[GRID_TOO_LARGE\]/);
  });

  it('--type and --level are case-insensitive, as --model is', async () => {
    const d = dirs.make();
    const r = await runCli([
      '--process',
      ...WINDOW,
      '--generate',
      '--metric',
      'container_cpu_usage_seconds_total',
      '--type',
      'CPU',
      '--level',
      'AMF',
      ...where(d),
    ]);
    expect(r.code, r.err).toBe(0);
  });

  it('ds in seconds since 1970 is refused in one line instead of forecasting in 1970', async () => {
    const d = dirs.make();
    const file = join(d, 'seconds.parquet');
    const ds = Array.from({ length: 300 }, (_, i) => 1_686_000_000 + i * 60);
    writeParquetFile(
      file,
      new Table({
        unique_id: vectorFromArray(
          ds.map(() => 'x'),
          new Utf8(),
        ),
        ds: vectorFromArray(ds, new TimestampMillisecond('UTC')),
        y: vectorFromArray(
          ds.map((_, i) => i % 5),
          new Float64(),
        ),
      }),
      {},
    );
    const r = await runCli(['train', '--data', file, '--model', 'naive', '--quiet', '--out-dir', join(d, 'o')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/seconds since 1970.*\[DATASET_TIMES_IN_SECONDS\]/);
  });
});

describe('one log per run (issue 13, finding 8 in part)', () => {
  it('runs started in the same second get their own log files', async () => {
    const { runLogPath } = await import('./console.js');
    const names = new Set(Array.from({ length: 50 }, () => runLogPath('logs', 'process')));
    expect(names.size).toBe(50);
  });
});

describe('what a failure leaves (issue 13, findings 2 and 8)', () => {
  it('a horizon longer than the series is one line, exit 2, not a stack trace (as demo --horizon 10080)', async () => {
    const d = dirs.make();
    const r = await processGenerate(d, ['--train', '--model', 'ARIMA', '--horizon', '10080', '--quiet']);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/a backtest of 10080 steps needs at least 10082 points, got 121.*\[SERIES_TOO_SHORT\]/);
    expect(readdirSync(join(d, 'runs')).filter((f) => f !== 'latest')).toEqual([]);
  });

  it('generate --out naming a directory of yours is refused, and the directory is kept as it was', async () => {
    const d = dirs.make();
    const samples = join(d, 'samples');
    expect((await runCli(['process', ...WINDOW, '--local-path', SAMPLE, '--out-dir', samples, '--quiet'])).code).toBe(
      0,
    );
    const mine = join(d, 'out', 'dataset.parquet');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    const r = await runCli(['generate', '--data-dir', samples, ...CPU, '--out', mine, '--quiet']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/dataset.parquet is a directory.*\[OUT_IS_A_DIRECTORY\]/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine');
    // Nothing half-written beside it: no temporary directory or file.
    expect(readdirSync(join(d, 'out'))).toEqual(['dataset.parquet']);
  });
});
