import { isAmfError, regularise } from '@amf-foresight/core';
import type { Forecast, Forecaster } from '@amf-foresight/core';
import { Calibrated, autoModel } from './auto.js';
import { modelFactory, normaliseModelName } from './registry.js';
import { MAX_TRAIN_POINTS } from './train.js';

/** One series of a fleet to forecast: what a worker thread gets (structured-cloneable). */
export interface ForecastJob {
  ds: Float64Array;
  y: Float64Array;
  /** A registered model name or AUTO. */
  model: string;
  params?: Record<string, unknown>;
  horizon: number;
  levels: number[];
}

/** The forecast of a job, in plain arrays (what comes back from a worker). */
export interface ForecastResult {
  ds: number[];
  mean: number[];
  intervals: Record<string, { lo: number[]; hi: number[] }>;
}

async function makerOf(job: ForecastJob): Promise<() => Forecaster> {
  // Usage is never negative: the mean and every bound are kept ≥ 0 (NonNegative layers).
  const c = { horizon: job.horizon, domain: 'non-negative' as const };
  if (normaliseModelName(job.model) === 'AUTO') return autoModel(c);
  const make = await modelFactory(job.model, {
    maxHorizon: job.horizon,
    ...(job.params ? { params: job.params } : {}),
  });
  return () => new Calibrated(make, c);
}

/**
 * Fits the job's model on its series (regularised, the latest MAX_TRAIN_POINTS) and forecasts its
 * horizon with conformal intervals at its levels. The same in a worker thread and in this one.
 */
export async function forecastJob(job: ForecastJob, signal?: AbortSignal): Promise<ForecastResult> {
  const { series } = regularise({ ds: Array.from(job.ds), y: Array.from(job.y) });
  const n = series.y.length;
  const s =
    n > MAX_TRAIN_POINTS
      ? { ds: series.ds.slice(n - MAX_TRAIN_POINTS), y: series.y.slice(n - MAX_TRAIN_POINTS) }
      : series;
  const model = await (await makerOf(job))().fit(s, signal ? { signal } : {});
  const f: Forecast = model.predict(job.horizon, { levels: job.levels });
  return {
    ds: Array.from(f.ds),
    mean: Array.from(f.mean),
    intervals: Object.fromEntries(
      Object.entries(f.intervals).map(([l, b]) => [l, { lo: Array.from(b.lo), hi: Array.from(b.hi) }]),
    ),
  };
}

/** Why a job failed, as its error said (a worker sends errors as plain data, codes kept). */
export interface ForecastFailure {
  failed: { code: string; message: string };
}

export type ForecastOutcome = ForecastResult | ForecastFailure;

/**
 * forecastJob with a failure of ours (bad input, a model that cannot fit) as data; a bug still
 * throws. A cancelled run's abort is re-thrown too.
 */
export async function forecastOutcome(job: ForecastJob, signal?: AbortSignal): Promise<ForecastOutcome> {
  try {
    return await forecastJob(job, signal);
  } catch (e) {
    signal?.throwIfAborted();
    if (isAmfError(e)) return { failed: { code: e.code, message: e.message } };
    throw e;
  }
}
