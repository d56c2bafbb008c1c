import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { DataNotFoundError, InputError, UsageError, checkHorizon, writeFilesAtomic } from '@amf-foresight/core';
import type { Forecast, Forecaster, Logger, SeriesInput } from '@amf-foresight/core';
import { parquetBytes, readParquetFile } from '@amf-foresight/tsdb-ingest';
import { autoSelect } from './auto.js';
import { backtest, prototypeSplit } from './evaluation.js';
import type { BacktestResult, Metrics } from './evaluation.js';
import { htmlReport, panelsSvg, svgToPng } from './plot.js';
import { makeModel, normaliseModelName } from './registry.js';

/**
 * Reads one series from a dataset Parquet: ours (unique_id, ds, y) or the prototype's
 * (date_col, values, container). Picks `seriesId`, or the first series.
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

/** A forecast as a table: unique_id, ds, <model>, <model>-lo-<level>, <model>-hi-<level>. */
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

export interface TrainOptions {
  /** Dataset Parquet (from generate, or the prototype's layout). */
  data: string;
  /** Model name (NAIVE, SNAIVE, MSTL, ARIMA, PROPHET, LSTM, AUTO), case-insensitive. */
  model: string;
  series?: string;
  horizon: number;
  windows: number;
  backtestStep?: number;
  season?: number;
  /** Where model/, forecast.parquet, metrics.json and forecast.{png,html} go. */
  outDir: string;
  /** Unit of the values, for the plot. */
  unit?: string;
  /** Where the files will be found, if outDir is renamed afterwards (a pipeline's temporary run directory). */
  finalDir?: string;
}

export interface TrainResult {
  outDir: string;
  series: string;
  model: string;
  points: number;
  prototype: { testMse: number | null; forecastMse: number | null; note?: string };
  backtest: { horizon: number; windows: number; mean: Metrics };
  candidates?: (Metrics & { model: string; fitSeconds: number })[];
  files: { model: string; forecast: string; metrics: string; png: string; html: string };
}

/**
 * The train step: backtest (rolling origin), the prototype's 70/20/10 figures, a final fit on the
 * whole series, its forecast, and a plot of the recent data with the forecast and its intervals.
 * Every file is written only when all are ready (model/ first, then the rest at once).
 */
export async function trainModel(o: TrainOptions, ctx: { logger: Logger; signal?: AbortSignal }): Promise<TrainResult> {
  const log = ctx.logger;
  const name = normaliseModelName(o.model);
  checkHorizon(o.horizon);
  if (!(Number.isInteger(o.windows) && o.windows >= 1)) throw new UsageError('BAD_WINDOWS', '--windows must be a whole number ≥ 1', { flag: '--windows' });
  const { id, series } = readSeries(o.data, o.series);
  let values = 0;
  for (const v of series.y) if (!Number.isNaN(v)) values++;
  if (values === 0) throw new InputError('SERIES_EMPTY', `series ${id} of ${o.data}: ${series.y.length} of ${series.y.length} points are missing`, { file: o.data, hint: 'generate the dataset over a window where the workload ran' });
  const modelLog = (m: string): void => (m.includes(' epoch ') ? log.debug(m) : log.info(m));
  const opts = { horizon: o.horizon, windows: o.windows, log: modelLog, ...(ctx.signal ? { signal: ctx.signal } : {}), ...(o.backtestStep !== undefined ? { step: o.backtestStep } : {}), ...(o.season !== undefined ? { season: o.season } : {}) };
  let model: Forecaster;
  let chosen: string = name;
  let bt: BacktestResult;
  let candidates: TrainResult['candidates'];
  log.info(`training ${name} on ${id} (${series.y.length} points): backtest with ${o.windows} windows of ${o.horizon} steps`);
  if (name === 'AUTO') {
    const r = await autoSelect(series, opts);
    model = r.model;
    chosen = r.chosen;
    bt = r.results.find((x) => x.model === r.chosen)!;
    candidates = r.results.map((x) => ({ model: x.model, ...x.mean, fitSeconds: x.fitSeconds }));
  } else {
    bt = await backtest(series, () => makeModel(name, { ...opts, maxHorizon: o.horizon }), opts);
    ctx.signal?.throwIfAborted();
    model = await makeModel(name, { ...opts, maxHorizon: Math.max(o.horizon, Math.ceil(series.y.length * 0.2) + 1) }).fit(series);
  }
  ctx.signal?.throwIfAborted();
  // The 70 % training part may be too short for a model that fits the whole series (MSTL needs two
  // seasons): then the prototype's figures are reported as unavailable, with the reason.
  let split: TrainResult['prototype'];
  try {
    split = await prototypeSplit(series, () => makeModel(chosen as never, { ...opts, maxHorizon: Math.ceil(series.y.length * 0.2) + 1 }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    split = { testMse: null, forecastMse: null, note: e.message };
    log.warn(`prototype 70/20/10 split not evaluated: ${e.message}`);
  }
  ctx.signal?.throwIfAborted();
  const forecast = model.predict(o.horizon);
  const out = o.outDir;
  mkdirSync(out, { recursive: true });
  model.save(join(out, 'model'));
  const files = { model: join(out, 'model'), forecast: join(out, 'forecast.parquet'), metrics: join(out, 'metrics.json'), png: join(out, 'forecast.png'), html: join(out, 'forecast.html') };
  const metrics = { series: id, model: chosen, points: series.y.length, prototype: split, backtest: { horizon: o.horizon, windows: bt.windows.length, mean: bt.mean }, ...(candidates ? { candidates } : {}) };
  const svg = forecastSvg(id, chosen, series, forecast, o.unit ?? '');
  const png = await svgToPng(svg);
  const rows = Array.from(forecast.ds, (t, i) => ({ ds: new Date(t).toISOString(), mean: forecast.mean[i]!, ...Object.fromEntries(Object.entries(forecast.intervals).flatMap(([l, b]) => [[`lo ${l} %`, b.lo[i]!], [`hi ${l} %`, b.hi[i]!]])) }));
  writeFilesAtomic([
    { path: join(out, 'model', 'series.json'), data: JSON.stringify({ unique_id: id, lastDs: series.ds[series.ds.length - 1] }) + '\n' },
    { path: files.forecast, data: parquetBytes(forecastTable(id, chosen, forecast), { kind: 'forecast', model: chosen, series: id, horizon: o.horizon, version: 1 }) },
    { path: files.metrics, data: JSON.stringify(metrics, null, 2) + '\n' },
    { path: files.png, data: png },
    { path: files.html, data: htmlReport(`${chosen} forecast of ${id}`, svg, rows) },
  ]);
  log.info(`${chosen} on ${id}: test MSE ${split.testMse?.toPrecision(4) ?? 'n/a'}, forecast MSE ${split.forecastMse?.toPrecision(4) ?? 'n/a'}; backtest (h=${o.horizon}, ${bt.windows.length} windows) MASE ${bt.mean.mase.toFixed(3)}, RMSE ${bt.mean.rmse.toPrecision(4)}, 90 % coverage ${(bt.mean.coverage90 * 100).toFixed(0)} % → ${o.finalDir ?? out}`);
  return { outDir: out, ...metrics, files };
}

/** The recent data (the last max(12·h, 6 h) points) with the forecast, its 80 % and 95 % intervals. */
function forecastSvg(id: string, model: string, s: SeriesInput, f: Forecast, unit: string): string {
  const n = s.y.length;
  const step = n > 1 ? s.ds[1]! - s.ds[0]! : 60_000;
  const keep = Math.min(n, Math.max(12 * f.ds.length, Math.round((6 * 3_600_000) / step)));
  const t = Array.from(s.ds).slice(n - keep);
  const y = Array.from(s.y).slice(n - keep);
  // The forecast line starts at the last observation so the two join.
  const ft = [t[t.length - 1]!, ...f.ds];
  const fm = [y[y.length - 1]!, ...f.mean];
  const bands = [95, 80]
    .filter((l) => f.intervals[l])
    .map((l) => ({ label: `${l} % interval`, color: l === 95 ? '#ff7f0e' : '#d62728', t: ft, lo: [fm[0]!, ...f.intervals[l]!.lo], hi: [fm[0]!, ...f.intervals[l]!.hi] }));
  return panelsSvg(`${model} forecast of ${id}`, [
    { title: `${id}: data and ${f.ds.length}-step forecast`, unit, lines: [{ label: 'data', color: '#1f77b4', t, y }, { label: `${model} forecast`, color: '#d62728', t: ft, y: fm, width: 2 }], bands },
  ]);
}
