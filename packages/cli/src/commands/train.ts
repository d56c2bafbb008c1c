import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { DataNotFoundError, InputError, UsageError, checkHorizon, writeFilesAtomic } from '@amf-foresight/core';
import type { Forecast, SeriesInput } from '@amf-foresight/core';
import { autoSelect, backtest, loadModel, makeModel, normaliseModelName, prototypeSplit } from '@amf-foresight/orchestrator';
import { parquetBytes, readParquetFile, writeParquetFile } from '@amf-foresight/tsdb-ingest';
import { consoleLogger } from '../console.js';
import type { Io } from '../io.js';

type Args = { quiet?: boolean; verbose?: boolean; output?: string };

/**
 * Reads one series from a dataset Parquet: ours (unique_id, ds, y) or the prototype's
 * (date_col, values, container). Picks `seriesId`, or the only / first series.
 */
export function readSeries(file: string, seriesId?: string): { id: string; series: SeriesInput } {
  if (!existsSync(file)) throw new DataNotFoundError('NO_DATASET', `dataset ${file} does not exist`, { file, flag: '--data', hint: 'run generate first, or pass --data FILE' });
  const { table } = readParquetFile(file);
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.includes('ds') && names.includes('y') ? { id: 'unique_id', ds: 'ds', y: 'y' } : names.includes('date_col') && names.includes('values') ? { id: 'container', ds: 'date_col', y: 'values' } : undefined;
  if (!cols) throw new InputError('DATASET_COLUMNS', `dataset ${file} has neither (unique_id, ds, y) nor the prototype's (date_col, values) columns; it has ${names.join(', ')}`, { file });
  const ids = table.getChild(cols.id) ? (Array.from(table.getChild(cols.id)!) as (string | null)[]) : new Array<string | null>(table.numRows).fill('series');
  const all = [...new Set(ids.map((x) => x ?? 'series'))];
  const id = seriesId ?? all[0];
  if (id === undefined || !all.includes(id)) throw new DataNotFoundError('NO_SERIES', `series ${JSON.stringify(seriesId)} is not in ${file}; it has ${all.slice(0, 8).join(', ')}`, { file, flag: '--series' });
  const dsCol = Array.from(table.getChild(cols.ds)!, (v) => Number(v));
  const yCol = Array.from(table.getChild(cols.y)!) as (number | null)[];
  const ds: number[] = [];
  const y: number[] = [];
  ids.forEach((x, i) => {
    if ((x ?? 'series') !== id) return;
    ds.push(dsCol[i]!);
    y.push(yCol[i] ?? NaN);
  });
  if (ds.length === 0) throw new DataNotFoundError('EMPTY_SERIES', `series ${id} of ${file} is empty`, { file });
  return { id, series: { ds, y } };
}

export function forecastTable(id: string, model: string, f: Forecast): Table {
  const cols: Record<string, Vector> = {
    unique_id: vectorFromArray(new Array<string>(f.ds.length).fill(id), new Utf8()),
    ds: vectorFromArray(Array.from(f.ds), new TimestampMillisecond('UTC')),
    [model]: vectorFromArray(Array.from(f.mean), new Float64()),
  };
  for (const [level, { lo, hi }] of Object.entries(f.intervals)) {
    cols[`${model}-lo-${level}`] = vectorFromArray(Array.from(lo), new Float64());
    cols[`${model}-hi-${level}`] = vectorFromArray(Array.from(hi), new Float64());
  }
  return new Table(cols);
}

export function trainCommand(io: Io, setResult: (code: number) => void): CommandModule<Args, any> {
  return {
    command: 'train',
    describe: 'Fit a model to a dataset, evaluate it (prototype 70/20/10 split and rolling-origin backtest), save it with its forecast',
    builder: (y) =>
      y
        .option('data', { type: 'string', default: 'data/dataset.parquet', describe: 'Dataset Parquet (from generate, or the prototype\'s date_col/values/container)' })
        .option('model', { type: 'string', describe: 'NAIVE, SNAIVE, MSTL, ARIMA or auto (case-insensitive)' })
        .option('series', { type: 'string', describe: 'unique_id to train on (default: the first)' })
        .option('horizon', { type: 'number', default: 12, describe: 'Forecast horizon in steps' })
        .option('windows', { type: 'number', default: 7, describe: 'Backtest windows' })
        .option('backtest-step', { type: 'number', describe: 'Steps between backtest origins (default: the horizon)' })
        .option('season', { type: 'number', describe: 'Season in steps for SNAIVE/MSTL (default: one day)' })
        .option('out-dir', { type: 'string', default: 'runs/latest', describe: 'Where model/, forecast.parquet and metrics.json go' })
        .example('$0 train --data data/dataset.parquet --model ARIMA', "the prototype's train step")
        .example('$0 train --model auto --horizon 12 --windows 7', 'backtest SNAIVE, MSTL and ARIMA, keep the best'),
    handler: async (argv) => {
      if (argv.model === undefined) throw new UsageError('MISSING_FLAG', '--train needs --model', { flag: '--model', hint: 'e.g. --model ARIMA' });
      const name = normaliseModelName(argv.model);
      checkHorizon(argv.horizon);
      if (!(Number.isInteger(argv.windows) && argv.windows >= 1)) throw new UsageError('BAD_WINDOWS', '--windows must be a whole number ≥ 1', { flag: '--windows' });
      const log = consoleLogger(io, { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) });
      const { id, series } = readSeries(argv.data, argv.series);
      const modelLog = (m: string): void => (m.includes(' epoch ') ? log.debug(m) : log.info(m));
      const opts = { horizon: argv.horizon, windows: argv.windows, log: modelLog, ...(argv['backtest-step'] !== undefined ? { step: argv['backtest-step'] } : {}), ...(argv.season !== undefined ? { season: argv.season } : {}) };
      let model;
      let chosen: string = name;
      let bt;
      let candidates;
      if (name === 'AUTO') {
        const r = await autoSelect(series, opts);
        model = r.model;
        chosen = r.chosen;
        bt = r.results.find((x) => x.model === r.chosen)!;
        candidates = r.results.map((x) => ({ model: x.model, ...x.mean, fitSeconds: x.fitSeconds }));
      } else {
        bt = await backtest(series, () => makeModel(name, { ...opts, maxHorizon: argv.horizon }), opts);
        model = await makeModel(name, { ...opts, maxHorizon: Math.max(argv.horizon, Math.ceil(series.y.length * 0.2) + 1) }).fit(series);
      }
      // The 70 % training part may be too short for a model that fits the whole series (MSTL needs two
      // seasons): then the prototype's figures are reported as unavailable, with the reason.
      let split: { testMse: number | null; forecastMse: number | null; note?: string };
      try {
        split = await prototypeSplit(series, () => makeModel(chosen as never, { ...opts, maxHorizon: Math.ceil(series.y.length * 0.2) + 1 }));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        split = { testMse: null, forecastMse: null, note: e.message };
        log.warn(`prototype 70/20/10 split not evaluated: ${e.message}`);
      }
      const forecast = model.predict(argv.horizon);
      const out = argv['out-dir'];
      mkdirSync(out, { recursive: true });
      model.save(join(out, 'model'));
      const forecastBytes = parquetBytes(forecastTable(id, chosen, forecast), { kind: 'forecast', model: chosen, series: id, horizon: argv.horizon, version: 1 });
      const metrics = { series: id, model: chosen, points: series.y.length, prototype: split, backtest: { horizon: argv.horizon, windows: bt.windows.length, mean: bt.mean }, ...(candidates ? { candidates } : {}) };
      writeFilesAtomic([
        { path: join(out, 'model', 'series.json'), data: JSON.stringify({ unique_id: id, lastDs: series.ds[series.ds.length - 1] }) + '\n' },
        { path: join(out, 'forecast.parquet'), data: forecastBytes },
        { path: join(out, 'metrics.json'), data: JSON.stringify(metrics, null, 2) + '\n' },
      ]);
      log.info(`${chosen} on ${id}: test MSE ${split.testMse?.toPrecision(4) ?? 'n/a'}, forecast MSE ${split.forecastMse?.toPrecision(4) ?? 'n/a'}; backtest (h=${argv.horizon}, ${bt.windows.length} windows) MASE ${bt.mean.mase.toFixed(3)}, RMSE ${bt.mean.rmse.toPrecision(4)}, 90 % coverage ${(bt.mean.coverage90 * 100).toFixed(0)} % → ${out}`);
      if (argv.output === 'json') io.out(JSON.stringify({ outDir: out, ...metrics }) + '\n');
      setResult(0);
    },
  };
}

export function forecastCommand(io: Io, setResult: (code: number) => void): CommandModule<Args, any> {
  return {
    command: 'forecast',
    describe: 'Forecast from a saved model directory (printed as CSV, or written as Parquet with --out)',
    builder: (y) =>
      y
        .option('model-dir', { type: 'string', demandOption: true, describe: 'A model/ directory written by train' })
        .option('horizon', { type: 'number', default: 12, describe: 'Steps ahead' })
        .option('data', { type: 'string', describe: 'Refit the same kind of model on this dataset first (newer data)' })
        .option('series', { type: 'string', describe: 'unique_id in --data' })
        .option('out', { type: 'string', describe: 'Write forecast Parquet here instead of CSV on stdout' })
        .example('$0 forecast --model-dir runs/latest/model --horizon 24', 'the next 24 steps'),
    handler: async (argv) => {
      checkHorizon(argv.horizon);
      let model = await loadModel(argv['model-dir']);
      const seriesFile = join(argv['model-dir'], 'series.json');
      let id = existsSync(seriesFile) ? (JSON.parse(readFileSync(seriesFile, 'utf8')) as { unique_id: string }).unique_id : 'series';
      if (argv.data !== undefined) {
        const r = readSeries(argv.data, argv.series);
        id = r.id;
        model = await makeModel(normaliseModelName(model.name) as never, { maxHorizon: argv.horizon }).fit(r.series);
      }
      const f = model.predict(argv.horizon);
      const t = forecastTable(id, model.name, f);
      if (argv.out !== undefined) {
        writeParquetFile(argv.out, t, { kind: 'forecast', model: model.name, horizon: argv.horizon, version: 1 });
      } else {
        const names = t.schema.fields.map((x) => x.name);
        let csv = names.join(',') + '\n';
        for (let i = 0; i < t.numRows; i++) csv += names.map((n) => (n === 'ds' ? new Date(Number(t.getChild(n)!.get(i))).toISOString() : String(t.getChild(n)!.get(i)))).join(',') + '\n';
        io.out(csv);
      }
      setResult(0);
    },
  };
}
