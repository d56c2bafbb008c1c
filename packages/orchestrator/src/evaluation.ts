import {
  InputError,
  checkpoint,
  coverage,
  intervalScore,
  mae,
  mse,
  pinball,
  rmse,
  seasonalNaiveScale,
  recencyWeight,
  smape,
} from '@amf-foresight/core';
import type { Calibration } from './conformal.js';
import type { FitOptions, Forecaster, SeriesInput } from '@amf-foresight/core';

const DAY_MS = 86_400_000;

export interface Metrics {
  mae: number;
  rmse: number;
  mse: number;
  mase: number;
  smape: number;
  coverage80: number;
  coverage90: number;
  coverage95: number;
  /** Pinball loss at q = 0.5 (the mean) and q = 0.9 (the 80 % interval's upper bound), scaled by the MASE scale. */
  scaledPinball50: number;
  scaledPinball90: number;
  /** Interval (Winkler) scores of the 80, 90 and 95 % intervals, scaled like MASE. */
  scaledIntervalScore80: number;
  scaledIntervalScore90: number;
  scaledIntervalScore95: number;
}

function slice(s: SeriesInput, from: number, to: number): SeriesInput {
  return { ds: Array.from(s.ds).slice(from, to), y: Array.from(s.y).slice(from, to) };
}

export function seasonOf(s: SeriesInput): number {
  const step = (s.ds[1] ?? 0) - (s.ds[0] ?? 0);
  return Math.max(1, Math.round(DAY_MS / step));
}

/** Which in-sample error scales MASE and the scaled pinball losses. */
export type MaseScale = 'seasonal naive' | 'one-step naive' | 'none (constant training data)';

/**
 * The MASE scale of a training part: the seasonal naive forecast's in-sample MAE, else (no pair of
 * values a season apart, or no change over one) the one-step naive forecast's; 1 when the training
 * data never changes. So MASE is never NaN, and the scale used is said.
 */
export function maseScale(train: ArrayLike<number>, m: number): { scale: number; kind: MaseScale } {
  const seasonal = seasonalNaiveScale(train, Math.min(m, Math.max(1, train.length - 1)));
  if (seasonal > 0) return { scale: seasonal, kind: 'seasonal naive' };
  const naive = seasonalNaiveScale(train, 1);
  if (naive > 0) return { scale: naive, kind: 'one-step naive' };
  return { scale: 1, kind: 'none (constant training data)' };
}

function score(actual: number[], f: ReturnType<Forecaster['predict']>, scale: number): Metrics {
  const mean = Array.from(f.mean);
  return {
    mae: mae(actual, mean),
    rmse: rmse(actual, mean),
    mse: mse(actual, mean),
    mase: mae(actual, mean) / scale,
    smape: smape(actual, mean),
    coverage80: coverage(actual, f.intervals[80]!.lo, f.intervals[80]!.hi),
    coverage90: coverage(actual, f.intervals[90]!.lo, f.intervals[90]!.hi),
    coverage95: coverage(actual, f.intervals[95]!.lo, f.intervals[95]!.hi),
    scaledPinball50: pinball(actual, mean, 0.5) / scale,
    scaledPinball90: pinball(actual, Array.from(f.intervals[80]!.hi), 0.9) / scale,
    scaledIntervalScore80: intervalScore(actual, f.intervals[80]!.lo, f.intervals[80]!.hi, 80) / scale,
    scaledIntervalScore90: intervalScore(actual, f.intervals[90]!.lo, f.intervals[90]!.hi, 90) / scale,
    scaledIntervalScore95: intervalScore(actual, f.intervals[95]!.lo, f.intervals[95]!.hi, 95) / scale,
  };
}

function average(ms: Metrics[]): Metrics {
  const keys = Object.keys(ms[0]!) as (keyof Metrics)[];
  return Object.fromEntries(keys.map((k) => [k, ms.reduce((a, m) => a + m[k], 0) / ms.length])) as unknown as Metrics;
}

/**
 * The prototype's evaluation: fit on the first 70 %, test MSE on the next 20 %; refit on the
 * first 90 %, forecast MSE on the last 10 %. Kept for comparison with the prototype's reports.
 */
export async function prototypeSplit(
  series: SeriesInput,
  make: () => Forecaster,
  options: FitOptions = {},
): Promise<{ testMse: number; forecastMse: number }> {
  const n = series.y.length;
  const a = Math.floor(n * 0.7);
  const b = Math.floor(n * 0.9);
  const test = (await make().fit(slice(series, 0, a), options)).predict(b - a);
  await checkpoint(options.signal);
  const fc = (await make().fit(slice(series, 0, b), options)).predict(n - b);
  return {
    testMse: mse(Array.from(series.y).slice(a, b), test.mean),
    forecastMse: mse(Array.from(series.y).slice(b), fc.mean),
  };
}

export interface BacktestOptions {
  horizon: number;
  windows: number;
  /** Steps between origins (default: the horizon). */
  step?: number;
  /** Season of the MASE scale (default: a day of the step). */
  season?: number;
  /** Checked before every window (and passed to each fit): a cancelled run stops within one fit. */
  signal?: AbortSignal;
  /** Called after each window's fit (progress). */
  onFit?: () => void;
}

export interface BacktestResult {
  model: string;
  windows: { origin: number; metrics: Metrics }[];
  mean: Metrics;
  /** Absolute errors per horizon step over all windows, weighted toward the latest: conformal intervals' basis. */
  calibration: Required<Calibration>;
  fitSeconds: number;
  /** The scale of MASE: seasonal naive unless a window's training part cannot give one. */
  maseScale: MaseScale;
}

/**
 * Rolling-origin backtest: the last `windows` origins, `step` apart, each with a model refitted on
 * everything before it and scored on the next `horizon` points. Nothing after an origin is ever
 * seen by its fit.
 */
export async function backtest(
  series: SeriesInput,
  make: () => Forecaster,
  o: BacktestOptions,
): Promise<BacktestResult> {
  const n = series.y.length;
  const step = o.step ?? o.horizon;
  const m = o.season ?? seasonOf(series);
  const out: BacktestResult = {
    model: make().name,
    windows: [],
    mean: undefined as unknown as Metrics,
    calibration: {
      absErrors: Array.from({ length: o.horizon }, () => []),
      weights: Array.from({ length: o.horizon }, () => []),
    },
    fitSeconds: 0,
    maseScale: 'seasonal naive',
  };
  for (let k = o.windows - 1; k >= 0; k--) {
    const origin = n - o.horizon - k * step;
    if (origin < 2) continue;
    await checkpoint(o.signal);
    const train = slice(series, 0, origin);
    const actual = Array.from(series.y).slice(origin, origin + o.horizon);
    const t0 = performance.now();
    const model = await make()
      .fit(train, o.signal ? { signal: o.signal } : {})
      .catch((e: unknown) => {
        // "needs N points, got M": say that M is a backtest window's training part, not the whole series.
        if (!(e instanceof InputError) || e.code !== 'SERIES_TOO_SHORT') throw e;
        const where = `the earliest of ${o.windows} backtest windows trains on the first ${origin} of ${n} points`;
        throw new InputError(
          e.code,
          `${e.message} (${where})`,
          {
            ...e.details,
            hint: e.details.hint !== undefined ? `${e.details.hint}, or fewer --windows` : 'use fewer --windows',
          },
          { cause: e },
        );
      });
    const f = model.predict(o.horizon);
    out.fitSeconds += (performance.now() - t0) / 1000;
    o.onFit?.();
    const scale = maseScale(train.y, m);
    if (scale.kind !== 'seasonal naive') out.maseScale = scale.kind;
    out.windows.push({ origin, metrics: score(actual, f, scale.scale) });
    actual.forEach((a, h) => {
      if (Number.isNaN(a)) return;
      out.calibration.absErrors[h]!.push(Math.abs(a - f.mean[h]!));
      // As rollingCalibration weighs: half weight per quarter season before the latest origin.
      out.calibration.weights[h]!.push(recencyWeight(k * step, Math.max(1, m / 4)));
    });
  }
  if (out.windows.length === 0)
    throw new InputError(
      'SERIES_TOO_SHORT',
      `a backtest of ${o.horizon} steps needs at least ${o.horizon + 2} points, got ${n}`,
      { hint: 'use a longer window (--start/--end) or a smaller --horizon' },
    );
  out.mean = average(out.windows.map((w) => w.metrics));
  return out;
}

/** Candidates of `--model auto`, cheapest first (ties go to the faster model). */
export const AUTO_CANDIDATES = ['SNAIVE', 'MSTL', 'ARIMA'] as const;

/** The auto criterion: mean scaled pinball loss at q = 0.5 and 0.9 (under-forecasting costs more). */
export function autoScore(m: Metrics): number {
  return (m.scaledPinball50 + m.scaledPinball90) / 2;
}
