import { existsSync } from 'node:fs';
import FFT from 'fft.js';
import { join } from 'node:path';
import {
  NotFittedError,
  fillGaps,
  finiteArray,
  finiteNumber,
  futureTimes,
  isRolling,
  readModelJson,
  writeFileAtomic,
  makeDir,
} from '@amf-foresight/core';
import type {
  FitOptions,
  Forecast,
  Forecaster,
  PredictOptions,
  RollingForecaster,
  SeriesInput,
} from '@amf-foresight/core';

/** Beside the inner model's manifest: the seasonal indices it was fitted without. */
export const SEASONAL_FILE = 'seasonal.json';

const DAY_MS = 86_400_000;

/** fft.js's API as used here (its own declarations are untyped). */
interface RealFft {
  createComplexArray(): number[];
  realTransform(out: number[], data: ArrayLike<number>): void;
  completeSpectrum(spectrum: number[]): void;
  inverseTransform(out: number[], data: number[]): void;
}

/**
 * Autocorrelation of x at lags 0…maxLag (x without gaps), through the power spectrum of x
 * zero-padded to twice its length (Wiener–Khinchin): O(n log n), where the direct sums were O(n·m)
 * (a second and more on 100 000 points with a 1 440-step season, blocking Ctrl-C).
 */
export function acf(x: Float64Array, maxLag: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  const r = new Float64Array(maxLag + 1);
  let size = 4;
  while (size < 2 * n) size *= 2;
  const centred = new Float64Array(size);
  for (let i = 0; i < n; i++) centred[i] = x[i]! - mean;
  const fft = new FFT(size) as RealFft;
  const spectrum = fft.createComplexArray();
  fft.realTransform(spectrum, centred);
  fft.completeSpectrum(spectrum);
  for (let i = 0; i < 2 * size; i += 2) {
    spectrum[i] = spectrum[i]! ** 2 + spectrum[i + 1]! ** 2;
    spectrum[i + 1] = 0;
  }
  const cov = fft.createComplexArray();
  fft.inverseTransform(cov, spectrum);
  const denom = cov[0]!;
  if (!(denom > 0)) return r;
  for (let k = 0; k <= Math.min(maxLag, n - 1); k++) r[k] = cov[2 * k]! / denom;
  return r;
}

/**
 * The seasonality test of the M4 competition's benchmarks: the autocorrelation at lag m exceeds
 * its 90 % one-sided bound 1.645·√((1 + 2 Σ_{k<m} r_k²) / n). Needs three seasons of data (else no).
 */
export function isSeasonal(x: Float64Array, m: number): boolean {
  if (m < 2 || x.length < 3 * m) return false;
  const r = acf(x, m);
  let s = 0;
  for (let k = 1; k < m; k++) s += r[k]! ** 2;
  return Math.abs(r[m]!) > 1.645 * Math.sqrt((1 + 2 * s) / x.length);
}

/**
 * Additive classical decomposition's seasonal indices (phase 0 = the series' first point): the mean
 * per phase of the series minus its centred moving average (2×m when m is even), centred to sum 0.
 * Additive because CPU and memory series touch zero, where multiplicative indices break.
 */
export function seasonalIndices(x: Float64Array, m: number): Float64Array {
  const n = x.length;
  const even = m % 2 === 0;
  const half = Math.floor(m / 2);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const sum = new Float64Array(m);
  const count = new Float64Array(m);
  for (let t = half; t < n - half; t++) {
    // Centred MA: m points for odd m; for even m, m + 1 points with the two ends weighted ½.
    const ma = even
      ? (prefix[t + half]! - prefix[t - half + 1]! + (x[t - half]! + x[t + half]!) / 2) / m
      : (prefix[t + half + 1]! - prefix[t - half]!) / m;
    const j = t % m;
    sum[j] = sum[j]! + x[t]! - ma;
    count[j] = count[j]! + 1;
  }
  const idx = sum.map((s, j) => (count[j]! > 0 ? s / count[j]! : 0));
  const mean = idx.reduce((a, b) => a + b, 0) / m;
  return idx.map((v) => v - mean);
}

interface Fitted {
  n: number;
  stepMs: number;
  lastDs: number;
  /** Indices by phase (phase 0 = the training series' first point); empty when not seasonal. */
  indices: number[];
}

/**
 * A model fitted on the seasonally adjusted series (when the M4 test finds a season of `season`
 * steps, default a day) with the seasonal indices added back to its forecasts: "STL + ARIMA on the
 * remainder" with classical indices, the seasonal adjustment of the Theta method's benchmarks.
 */
export class Deseasonalised<M extends Forecaster> implements RollingForecaster {
  readonly name: string;
  private fitted: Fitted | undefined;

  constructor(
    readonly inner: M,
    readonly params: { season?: number } = {},
  ) {
    this.name = inner.name;
  }

  async fit(series: SeriesInput, options?: FitOptions): Promise<this> {
    const n = series.y.length;
    const stepMs = (series.ds[1] ?? 0) - (series.ds[0] ?? 0);
    const m = this.params.season ?? (stepMs > 0 ? Math.round(DAY_MS / stepMs) : 0);
    const x = fillGaps(series.y);
    const indices = isSeasonal(x, m) ? Array.from(seasonalIndices(x, m)) : [];
    const y = indices.length > 0 ? Float64Array.from(series.y, (v, t) => v - indices[t % m]!) : series.y;
    await this.inner.fit({ ds: series.ds, y }, options);
    this.fitted = { n, stepMs, lastDs: series.ds[n - 1]!, indices };
    return this;
  }

  /** The season found (steps), or 0 when the series is fitted as it is. */
  get season(): number {
    return this.fitted?.indices.length ?? 0;
  }

  private add(mean: Float64Array, first: number): Float64Array {
    const idx = this.fitted?.indices ?? [];
    return idx.length === 0 ? mean : mean.map((v, i) => v + idx[(first + i) % idx.length]!);
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const f = this.fitted;
    if (!f) throw new NotFittedError(this.name);
    const inner = this.inner.predict(h, options);
    const intervals: Forecast['intervals'] = {};
    for (const [l, b] of Object.entries(inner.intervals))
      intervals[Number(l)] = { lo: this.add(b.lo, f.n), hi: this.add(b.hi, f.n) };
    return { ds: futureTimes(f.lastDs, f.stepMs, h), mean: this.add(inner.mean, f.n), intervals };
  }

  rollingMeans(origins: readonly number[], h: number): Float64Array[] {
    if (!isRolling(this.inner)) throw new TypeError(`${this.name} cannot forecast from earlier origins`);
    return this.inner.rollingMeans(origins, h).map((m, k) => this.add(m, origins[k]!));
  }

  save(dir: string): void {
    const f = this.fitted;
    if (!f) throw new NotFittedError(this.name);
    this.inner.save(dir);
    makeDir(dir);
    writeFileAtomic(join(dir, SEASONAL_FILE), JSON.stringify({ ...f, season: this.params.season }) + '\n');
  }

  /** The inner model (already loaded from `dir`) with the seasonal indices saved beside it, if any. */
  static wrap<M extends Forecaster>(inner: M, dir: string): M | Deseasonalised<M> {
    const path = join(dir, SEASONAL_FILE);
    if (!existsSync(path)) return inner;
    const f = readModelJson(path) as Fitted & { season?: number };
    finiteArray(path, 'indices', f.indices);
    finiteNumber(path, 'n', f.n, { min: 1 });
    const model = new Deseasonalised(inner, f.season !== undefined ? { season: f.season } : {});
    model.fitted = { n: f.n, stepMs: f.stepMs, lastDs: f.lastDs, indices: f.indices };
    return model;
  }
}
