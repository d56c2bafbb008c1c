import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AmfError, InputError, UsageError } from './errors.js';
import { writeFileAtomic, makeDir } from './files.js';
import { badModelFile, checksumProblems, finiteNumber, readModelJson } from './modelfile.js';

/** One series to fit: regular timestamps (ms) and values; NaN marks a missing point. */
export interface SeriesInput {
  ds: Float64Array | number[];
  y: Float64Array | number[];
}

/** A forecast: the mean and, per interval level (e.g. 80, 90, 95), lower and upper bounds. */
export interface Forecast {
  ds: Float64Array;
  mean: Float64Array;
  intervals: Record<number, { lo: Float64Array; hi: Float64Array }>;
}

export interface FitOptions {
  /** Aborting it stops the fit within about a second (a long WebAssembly fit runs in a worker that is ended). */
  signal?: AbortSignal;
}

export interface PredictOptions {
  /** Interval levels in percent, default [80, 90, 95]. */
  levels?: number[];
}

/**
 * The contract of every model (DESIGN §3): the constructor only stores hyperparameters;
 * `fit` returns the model; `predict(h)` gives the mean and intervals for the next h steps;
 * `save(dir)` writes manifest.json plus the model's payload, `load(dir)` checks the manifest.
 */
export interface Forecaster {
  readonly name: string;
  fit(series: SeriesInput, options?: FitOptions): Promise<this>;
  predict(h: number, options?: PredictOptions): Forecast;
  save(dir: string): void;
}

/**
 * A fitted model that can also forecast from earlier points of the series it was fitted on, with
 * the parameters of that fit and only the data before each origin: many cheap rolling origins
 * (conformal calibration, combination) without a refit per origin.
 */
export interface RollingForecaster extends Forecaster {
  /** Means of h-step forecasts from each origin: origin o forecasts points o … o + h − 1 from those before o. */
  rollingMeans(origins: readonly number[], h: number): Float64Array[];
}

export function isRolling(m: Forecaster): m is RollingForecaster {
  return typeof (m as Partial<RollingForecaster>).rollingMeans === 'function';
}

export const DEFAULT_LEVELS = [80, 90, 95];

export class NotFittedError extends AmfError {
  constructor(model: string) {
    super(
      'NOT_FITTED',
      `${model}: predict() was called before fit()`,
      { hint: 'call fit(series) first, or load() a saved model' },
      { exitCode: 1 },
    );
  }
}

/** Version of the manifest format this code writes; newer ones are refused. */
export const MANIFEST_VERSION = 1;

export interface ModelManifest {
  formatVersion: number;
  model: string;
  params: Record<string, unknown>;
  /** Library versions the payload depends on. */
  libraries: Record<string, string>;
  /** Step of the training series (ms) and its last timestamp: where forecasts start. */
  stepMs: number;
  lastDs: number;
  createdAt: string;
  payload?: unknown;
}

export function writeManifest(dir: string, m: Omit<ModelManifest, 'formatVersion' | 'createdAt'>): void {
  makeDir(dir);
  writeFileAtomic(
    join(dir, 'manifest.json'),
    JSON.stringify({ formatVersion: MANIFEST_VERSION, createdAt: new Date().toISOString(), ...m }, null, 2) + '\n',
  );
}

/** Latest time a model may end at (the year 2100): anything later is a damaged manifest. */
const MAX_TIME_MS = 4_102_444_800_000;

/**
 * Reads and checks manifest.json: its schema (a known format version, the model's name, a step > 0,
 * a last time within 1970–2100) and, when `sealModelDir` recorded them, the checksums of every other
 * file of the directory. `expectModel` '*' accepts any model kind.
 */
export function readManifest(dir: string, expectModel: string): ModelManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path))
    throw new InputError('MODEL_NO_MANIFEST', 'no manifest.json in the model directory', {
      file: dir,
      hint: 'point --model-dir at a directory written by a fitted model',
    });
  const read = readModelJson(path);
  if (typeof read !== 'object' || read === null || Array.isArray(read)) throw badModelFile(path, 'not a JSON object');
  const m = read as Partial<ModelManifest> & { checksums?: Record<string, string> };
  if (typeof m.formatVersion === 'number' && m.formatVersion > MANIFEST_VERSION)
    throw new InputError(
      'MODEL_MANIFEST_TOO_NEW',
      `manifest format ${String(m.formatVersion)} is newer than this version reads (${MANIFEST_VERSION})`,
      { file: path, hint: 'upgrade @amf-foresight packages' },
    );
  if (!Number.isInteger(m.formatVersion) || m.formatVersion! < 1)
    throw badModelFile(path, `formatVersion ${JSON.stringify(m.formatVersion)} is not a format this version knows`);
  if (typeof m.model !== 'string') throw badModelFile(path, 'model is not a name');
  if (typeof m.params !== 'object' || (m.params as unknown) === null)
    throw badModelFile(path, 'params is not an object');
  finiteNumber(path, 'stepMs', m.stepMs, { min: 1 });
  finiteNumber(path, 'lastDs', m.lastDs, { min: 0, max: MAX_TIME_MS });
  if (expectModel !== '*' && m.model.toUpperCase() !== expectModel.toUpperCase()) {
    throw new InputError('MODEL_WRONG_KIND', `the model directory holds a ${m.model} model, not ${expectModel}`, {
      file: path,
    });
  }
  if (m.checksums !== undefined) {
    const problems = checksumProblems(dir, m.checksums);
    if (problems.length > 0)
      throw new InputError(
        'MODEL_CHECKSUM_MISMATCH',
        `the model directory ${dir} is not as written: ${problems.join('; ')}`,
        {
          file: dir,
          hint: 'train again into a fresh directory',
        },
      );
  }
  return m as ModelManifest;
}

/**
 * Checks a training series: finite values (NaN allowed only as gaps, at most `maxGapShare`),
 * a regular step, enough points. Returns the step in ms.
 */
export function checkSeries(s: SeriesInput, model: string, minPoints: number, maxGapShare = 0.2): number {
  const n = s.y.length;
  if (n !== s.ds.length) throw new InputError('SERIES_SHAPE', `${model}: ds has ${s.ds.length} points and y ${n}`);
  if (n < minPoints)
    throw new InputError('SERIES_TOO_SHORT', `${model} needs at least ${minPoints} points, got ${n}`, {
      hint: 'use a longer window (--start/--end)',
    });
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = s.y[i]!;
    if (Number.isNaN(v)) missing++;
    else if (!Number.isFinite(v))
      throw new InputError('SERIES_NOT_FINITE', `${model}: value ${v} at point ${i} is not finite`);
  }
  if (missing / n > maxGapShare) {
    throw new InputError(
      'SERIES_TOO_SPARSE',
      `${model}: ${missing} of ${n} points are missing (more than ${Math.round(maxGapShare * 100)} %)`,
      { hint: 'choose a window with data, or a larger --step' },
    );
  }
  const step = (s.ds[1] ?? 0) - (s.ds[0] ?? 0);
  for (let i = 2; i < n; i++) {
    if (s.ds[i]! - s.ds[i - 1]! !== step)
      throw new InputError('SERIES_IRREGULAR', `${model}: timestamps are not evenly spaced at point ${i}`, {
        hint: 'generate the dataset on a regular grid',
      });
  }
  if (!(step > 0)) throw new InputError('SERIES_IRREGULAR', `${model}: timestamps must increase`);
  return step;
}

/** The longest horizon any model forecasts (70 days of 1-minute steps): past it, memory, not skill, runs out. */
export const MAX_HORIZON = 100_000;

export function checkHorizon(h: number): void {
  if (!Number.isInteger(h) || h <= 0)
    throw new UsageError('BAD_HORIZON', `the horizon must be a whole number of steps ≥ 1, got ${h}`, {
      flag: '--horizon',
    });
  if (h > MAX_HORIZON)
    throw new UsageError('HORIZON_TOO_LONG', `the horizon is at most ${MAX_HORIZON} steps, got ${h}`, {
      flag: '--horizon',
      hint: 'forecast with a coarser --step',
    });
}

/** The h timestamps after the last one of a regular series. */
export function futureTimes(lastDs: number, stepMs: number, h: number): Float64Array {
  return Float64Array.from({ length: h }, (_, i) => lastDs + (i + 1) * stepMs);
}

/** The forecast of a series that never changed: its value at every step, intervals of zero width. */
export function constantForecast(
  ds: Float64Array,
  value: number,
  levels: readonly number[] = DEFAULT_LEVELS,
): Forecast {
  const mean = new Float64Array(ds.length).fill(value);
  return { ds, mean, intervals: Object.fromEntries(levels.map((l) => [l, { lo: mean.slice(), hi: mean.slice() }])) };
}

/** z-score of a two-sided normal interval at `level` percent. */
export function normalQuantile(p: number): number {
  // Acklam's rational approximation: relative error below 1.2e-9, plenty for intervals.
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

export function zForLevel(level: number): number {
  if (!(level > 0 && level < 100))
    throw new UsageError('BAD_LEVEL_PCT', `interval level ${level} must be between 0 and 100`);
  return normalQuantile(0.5 + level / 200);
}

/** Normal prediction intervals mean ± z·sd at each level. */
export function normalIntervals(
  mean: Float64Array,
  sd: ArrayLike<number>,
  levels: readonly number[] = DEFAULT_LEVELS,
): Forecast['intervals'] {
  const intervals: Forecast['intervals'] = {};
  for (const level of levels) {
    const z = zForLevel(level);
    intervals[level] = { lo: mean.map((v, i) => v - z * sd[i]!), hi: mean.map((v, i) => v + z * sd[i]!) };
  }
  return intervals;
}
