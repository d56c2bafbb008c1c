import {
  NotFittedError,
  checkHorizon,
  checkSeries,
  fillGaps,
  futureTimes,
  normalIntervals,
  finiteNumber,
  readManifest,
  writeManifest,
} from '@amf-foresight/core';
import { join } from 'node:path';
import type { Forecast, PredictOptions, RollingForecaster, SeriesInput } from '@amf-foresight/core';
import { Deseasonalised } from './deseasonalise.js';

interface State {
  stepMs: number;
  lastDs: number;
  alpha: number;
  /** Half the slope of the least-squares line through the series: the drift of θ = 2. */
  drift: number;
  sigma: number;
  n: number;
  level: number;
}

/** Levels of simple exponential smoothing: levels[t] after t observations (levels[0] = y₀), and the one-step SSE. */
function smooth(y: Float64Array, alpha: number): { levels: Float64Array; sse: number } {
  const levels = new Float64Array(y.length + 1);
  levels[0] = y[0]!;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const e = y[t]! - levels[t]!;
    if (t > 0) sse += e * e;
    levels[t + 1] = levels[t]! + alpha * e;
  }
  return { levels, sse };
}

/** α in [0.001, 1] minimising the one-step SSE, by golden-section search. */
function bestAlpha(y: Float64Array): number {
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (alpha: number) => smooth(y, alpha).sse;
  let [a, b] = [0.001, 1];
  let [c, d] = [b - g * (b - a), a + g * (b - a)];
  let [fc, fd] = [f(c), f(d)];
  while (b - a > 1e-4) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - g * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

function slope(y: Float64Array): number {
  const n = y.length;
  const tm = (n - 1) / 2;
  let ym = 0;
  for (const v of y) ym += v;
  ym /= n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) [sxy, sxx] = [sxy + (t - tm) * (y[t]! - ym), sxx + (t - tm) ** 2];
  return sxx > 0 ? sxy / sxx : 0;
}

/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000) in Hyndman & Billah's form (2003): simple
 * exponential smoothing with a drift of half the series' linear slope, ŷ(h) = ℓₜ + b/2·(h − 1 + 1/α −
 * (1 − α)ᵗ/α); intervals of SES (an ARIMA(0,1,1)), σ·√(1 + α²(h − 1)). On a seasonally adjusted
 * series (see `theta()`), as the M3 and M4 benchmarks run it.
 */
export class SesDrift implements RollingForecaster {
  readonly name = 'THETA';
  private state: State | undefined;
  private levels: Float64Array | undefined;

  async fit(series: SeriesInput): Promise<this> {
    const step = checkSeries(series, this.name, 4);
    const y = fillGaps(series.y);
    const alpha = bestAlpha(y);
    const { levels, sse } = smooth(y, alpha);
    const n = y.length;
    this.levels = levels;
    this.state = {
      stepMs: step,
      lastDs: series.ds[n - 1]!,
      alpha,
      drift: slope(y) / 2,
      sigma: Math.sqrt(sse / Math.max(1, n - 1)),
      n,
      level: levels[n]!,
    };
    return Promise.resolve(this);
  }

  private path(level: number, t: number, h: number): Float64Array {
    const { alpha, drift } = this.state!;
    const tail = 1 / alpha - Math.pow(1 - alpha, t) / alpha;
    return Float64Array.from({ length: h }, (_, i) => level + drift * (i + tail));
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    checkHorizon(h);
    const mean = this.path(st.level, st.n, h);
    const sd = Float64Array.from({ length: h }, (_, i) => st.sigma * Math.sqrt(1 + st.alpha ** 2 * i));
    return { ds: futureTimes(st.lastDs, st.stepMs, h), mean, intervals: normalIntervals(mean, sd, options.levels) };
  }

  rollingMeans(origins: readonly number[], h: number): Float64Array[] {
    const levels = this.levels;
    if (!this.state || !levels) throw new NotFittedError(this.name);
    return origins.map((o) => this.path(levels[o]!, o, h));
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    writeManifest(dir, {
      model: this.name,
      params: {},
      libraries: {},
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: st,
    });
  }

  static load(dir: string): SesDrift {
    const m = readManifest(dir, 'THETA');
    const p = m.payload as State;
    const file = join(dir, 'manifest.json');
    finiteNumber(file, 'payload.alpha', p.alpha, { min: 1e-6, max: 1 });
    finiteNumber(file, 'payload.sigma', p.sigma, { min: 0 });
    finiteNumber(file, 'payload.n', p.n, { min: 1 });
    for (const k of ['drift', 'level'] as const) finiteNumber(file, `payload.${k}`, p[k]);
    const model = new SesDrift();
    model.state = { ...p, stepMs: m.stepMs, lastDs: m.lastDs };
    return model;
  }
}

/** THETA: the Theta method on the series adjusted by its daily (or `season`) indices when the M4 test finds them. */
export function theta(params: { season?: number } = {}): Deseasonalised<SesDrift> {
  return new Deseasonalised(new SesDrift(), params);
}
