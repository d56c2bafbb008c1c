import {
  InputError,
  NotFittedError,
  checkHorizon,
  checkSeries,
  futureTimes,
  normalIntervals,
  badModelFile,
  finiteArray,
  finiteNumber,
  readManifest,
  writeManifest,
} from '@amf-foresight/core';
import { join } from 'node:path';
import type { Forecast, PredictOptions, RollingForecaster, SeriesInput } from '@amf-foresight/core';

const DAY_MS = 86_400_000;

interface State {
  stepMs: number;
  lastDs: number;
  /** The last `period` observed values (NaN where the series had a gap and nothing earlier filled it). */
  lastSeason: number[];
  sigma: number;
  period: number;
}

export interface SeasonalNaiveParams {
  /** Season length in steps; default: one day of the series' step (at least 1). */
  season?: number;
}

/**
 * Seasonal naive: the forecast for a step is the value one season earlier. With season 1 it is
 * the naive forecast (the last value). Intervals are normal with the h-step standard deviation
 * σ·√(⌊(h−1)/m⌋+1), σ the RMS of the in-sample one-season differences (Hyndman & Athanasopoulos,
 * fpp3 §5.5), so they widen once per season.
 */
export class SeasonalNaive implements RollingForecaster {
  readonly name: string;
  private state: State | undefined;
  /** The gap-filled training values (not saved): what rollingMeans forecasts from. */
  private filled: number[] | undefined;

  constructor(
    readonly params: SeasonalNaiveParams = {},
    name = 'SNAIVE',
  ) {
    this.name = name;
  }

  async fit(series: SeriesInput): Promise<this> {
    const step = checkSeries(series, this.name, 2);
    const n = series.y.length;
    const m = Math.max(1, this.params.season ?? Math.round(DAY_MS / step));
    if (n < m + 1)
      throw new InputError(
        'SERIES_TOO_SHORT',
        `${this.name} with a season of ${m} steps needs at least ${m + 1} points, got ${n}`,
        { hint: 'use a longer window or a smaller --season' },
      );
    // Fill gaps with the value one season earlier (or the last seen) so the last season is whole.
    const y = Array.from(series.y);
    for (let i = 0; i < n; i++)
      if (Number.isNaN(y[i]!)) y[i] = i >= m && !Number.isNaN(y[i - m]!) ? y[i - m]! : i > 0 ? y[i - 1]! : NaN;
    let ss = 0;
    let k = 0;
    for (let i = m; i < n; i++) {
      if (Number.isNaN(series.y[i]!) || Number.isNaN(series.y[i - m]!)) continue;
      ss += (series.y[i]! - series.y[i - m]!) ** 2;
      k++;
    }
    this.filled = y;
    this.state = {
      stepMs: step,
      lastDs: series.ds[n - 1]!,
      lastSeason: y.slice(n - m),
      sigma: k > 0 ? Math.sqrt(ss / k) : 0,
      period: m,
    };
    return this;
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    checkHorizon(h);
    const m = st.period;
    const ds = futureTimes(st.lastDs, st.stepMs, h);
    const mean = new Float64Array(h);
    const sd = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      mean[i] = st.lastSeason[i % m]!;
      sd[i] = st.sigma * Math.sqrt(Math.floor(i / m) + 1);
    }
    return { ds, mean, intervals: normalIntervals(mean, sd, options.levels) };
  }

  rollingMeans(origins: readonly number[], h: number): Float64Array[] {
    const y = this.filled;
    if (!this.state || !y) throw new NotFittedError(this.name);
    const m = this.state.period;
    return origins.map((o) => Float64Array.from({ length: h }, (_, i) => y[o - m + (i % m)] ?? NaN));
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    writeManifest(dir, {
      model: this.name,
      params: { ...this.params },
      libraries: {},
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: { lastSeason: st.lastSeason, sigma: st.sigma, period: st.period },
    });
  }

  static load(dir: string, name = 'SNAIVE'): SeasonalNaive {
    const m = readManifest(dir, name);
    const p = m.payload as { lastSeason: (number | null)[]; sigma: number; period: number };
    const file = join(dir, 'manifest.json');
    const period = finiteNumber(file, 'payload.period', p.period, { min: 1 });
    finiteNumber(file, 'payload.sigma', p.sigma, { min: 0 });
    // Gaps nothing earlier filled are saved as null.
    const saved: unknown = p.lastSeason;
    if (!Array.isArray(saved) || saved.length !== period)
      throw badModelFile(file, `payload.lastSeason is not a list of ${period} values`);
    finiteArray(
      file,
      'payload.lastSeason',
      saved.filter((v) => v !== null),
    );
    const model = new SeasonalNaive(m.params, name);
    const lastSeason = p.lastSeason.map((v) => v ?? NaN);
    model.state = { stepMs: m.stepMs, lastDs: m.lastDs, lastSeason, sigma: p.sigma, period: p.period };
    return model;
  }
}

/** Naive: the last value, intervals σ·√h. */
export class Naive extends SeasonalNaive {
  constructor() {
    super({ season: 1 }, 'NAIVE');
  }

  static override load(dir: string): Naive {
    const loaded = SeasonalNaive.load(dir, 'NAIVE');
    return Object.setPrototypeOf(loaded, Naive.prototype) as Naive;
  }
}
