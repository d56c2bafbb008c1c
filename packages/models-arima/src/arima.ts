import {
  InputError,
  NotFittedError,
  checkHorizon,
  checkSeries,
  fillGaps,
  futureTimes,
  normalIntervals,
  finiteArray,
  finiteNumber,
  readManifest,
  writeManifest,
} from '@amf-foresight/core';
import { join } from 'node:path';
import type { FitOptions, Forecast, PredictOptions, RollingForecaster, SeriesInput } from '@amf-foresight/core';
import { KPSS_CRITICAL_5, kpss } from './kpss.js';
import { extendPath, rollingPath } from './extend.js';
import type { ArimaPath } from './extend.js';
import { runArima } from './worker.js';
import type { ArimaResult } from './worker.js';

export interface ArimaParams {
  /** A fixed (p, d, q); otherwise d by KPSS and (p, q) ≤ maxOrder (default 2) by AICc. */
  order?: [number, number, number];
  maxOrder?: number;
  /**
   * 'stepwise' (default): Hyndman–Khandakar's search, from (2,d,2), (0,d,0), (1,d,0), (0,d,1)
   * to neighbours (p±1, q±1) while AICc improves, usually 6–10 fits; 'grid': every (p, q).
   */
  search?: 'stepwise' | 'grid';
  /**
   * The order search fits the last searchPoints points (default 1 000); the chosen order is then
   * refitted on the whole series (up to maxPoints) for the forecast.
   */
  searchPoints?: number;
  /** Seasonal differencing at this period (D = 1, no seasonal AR/MA terms: those crash at s = 288). */
  seasonalPeriod?: number;
  /** Only the last maxPoints points are fitted (the wasm stack overflows near 8 200). */
  maxPoints?: number;
  /** Forecasts are computed up to this horizon when fitting (steps). */
  maxHorizon?: number;
}

interface State {
  stepMs: number;
  lastDs: number;
  order: [number, number, number];
  mean: number[];
  variance: number[];
  aicc: number;
  search: { order: [number, number, number]; aicc: number }[];
  /** What forecasts past `mean.length` steps need (absent in models saved by older versions). */
  ext?: Omit<ArimaPath, 'mean' | 'variance'>;
}

const DEFAULT_MAX_POINTS = 8000;

function diff(y: Float64Array, lag: number): Float64Array {
  const out = new Float64Array(Math.max(0, y.length - lag));
  for (let i = lag; i < y.length; i++) out[i - lag] = y[i]! - y[i - lag]!;
  return out;
}

function variance(x: Float64Array, aroundMean: boolean): number {
  let m = 0;
  if (aroundMean) {
    for (const v of x) m += v;
    m /= x.length;
  }
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return s / x.length;
}

/** Small-sample corrected AIC from the innovation variance (concentrated Gaussian likelihood). */
function aicc(n: number, sigma2: number, k: number): number {
  return n * Math.log(Math.max(sigma2, 1e-300)) + 2 * k + (2 * k * (k + 1)) / Math.max(1, n - k - 1);
}

/**
 * ARIMA on the `arima` package with `{ method: 1, optimizer: 5 }` (exact ML, BFGS: the setting
 * that matches statsmodels, docs/ARIMA_NOTES.md), guarded: finite input only, at most maxPoints,
 * fits in a restartable worker, p = q = 0 orders computed directly (the package forecasts garbage
 * for them), seasonality by seasonal differencing only.
 */
export class Arima implements RollingForecaster {
  readonly name = 'ARIMA';
  private state: State | undefined;
  /** The gap-filled training series (not saved): what rollingMeans forecasts from. */
  private series: Float64Array | undefined;

  constructor(readonly params: ArimaParams = {}) {}

  async fit(series: SeriesInput, options: FitOptions = {}): Promise<this> {
    const { signal } = options;
    const step = checkSeries(series, this.name, 20);
    const maxPoints = this.params.maxPoints ?? DEFAULT_MAX_POINTS;
    // Gaps are interpolated: the package would forward-fill them silently.
    const all = fillGaps(series.y);
    const y = all.length > maxPoints ? all.subarray(all.length - maxPoints) : all;
    const s = this.params.seasonalPeriod ?? 0;
    if (s > 0 && y.length < 3 * s)
      throw new InputError(
        'SERIES_TOO_SHORT',
        `seasonal differencing at ${s} needs at least ${3 * s} points, got ${y.length}`,
      );
    const base = s > 0 ? diff(y, s) : y;
    const H = this.params.maxHorizon ?? 576;
    const chosen = this.params.order
      ? { order: this.params.order, aicc: undefined, search: [] }
      : await this.searchOrder(y, s, kpss(base) > KPSS_CRITICAL_5 ? 1 : 0, signal);
    const { order, search } = chosen;
    const searchAicc = chosen.aicc;
    // At least q + 1 steps: forecasts past them follow the AR recursion alone (extend.ts).
    const final = await this.fitOrder(y, base, order, s, Math.max(H, order[2] + 1), signal);
    if (!final)
      throw new InputError('ARIMA_NO_FIT', `ARIMA${JSON.stringify(order)} could not be fitted to this series`, {
        hint: 'try another order, SNAIVE or MSTL',
      });
    const ext = final.coef && {
      phi: final.coef.phi,
      theta: final.coef.theta,
      d: order[1],
      s,
      tail: Array.from(y.subarray(Math.max(0, y.length - (order[0] + order[1] + s + 1)))),
    };
    this.series = all;
    this.state = {
      stepMs: step,
      lastDs: series.ds[series.ds.length - 1]!,
      order,
      mean: final.mean,
      variance: final.variance,
      aicc: searchAicc ?? final.aicc,
      search,
      ...(ext ? { ext } : {}),
    };
    return this;
  }

  /**
   * The (p, q) with the lowest AICc at difference order d, on the latest searchPoints points:
   * 'stepwise' (Hyndman–Khandakar) or 'grid'. Candidates of one round are fitted together on the
   * worker pool.
   */
  private async searchOrder(
    y: Float64Array,
    s: number,
    d: number,
    signal?: AbortSignal,
  ): Promise<{ order: [number, number, number]; aicc: number; search: State['search'] }> {
    const m = this.params.maxOrder ?? 2;
    const sp = Math.max(50, this.params.searchPoints ?? 1000);
    // AICc values compare orders on the same data: the latest sp points.
    const ys = y.length > sp ? y.subarray(y.length - sp) : y;
    const bs = s > 0 ? diff(ys, s) : ys;
    const search: State['search'] = [];
    const tried = new Map<string, number>();
    let best: [number, number] = [0, 0];
    let bestA = Infinity;
    const consider = async (cands: (readonly [number, number])[]): Promise<boolean> => {
      const valid = cands.filter(([p, q]) => p >= 0 && q >= 0 && p <= m && q <= m && !tried.has(`${p},${q}`));
      valid.forEach(([p, q]) => tried.set(`${p},${q}`, Infinity)); // claimed: a batch does not fit one twice
      const fits = await Promise.all(valid.map(([p, q]) => this.fitOrder(ys, bs, [p, d, q], s, 1, signal)));
      let improved = false;
      fits.forEach((r, i) => {
        const [p, q] = valid[i]!;
        const a = r ? r.aicc : Infinity;
        tried.set(`${p},${q}`, a);
        // Recorded in candidate order, whatever order the parallel fits finished in.
        if (Number.isFinite(a)) search.push({ order: [p, d, q], aicc: a });
        if (a < bestA) [bestA, best, improved] = [a, [p, q], true];
      });
      return improved;
    };
    if ((this.params.search ?? 'stepwise') === 'grid') {
      const all: [number, number][] = [];
      for (let p = 0; p <= m; p++) for (let q = 0; q <= m; q++) all.push([p, q]);
      await consider(all);
    } else {
      await consider([
        [Math.min(2, m), Math.min(2, m)],
        [0, 0],
        [Math.min(1, m), 0],
        [0, Math.min(1, m)],
      ]);
      // Hyndman–Khandakar neighbourhood, moving to the best neighbour while AICc improves.
      const around = [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
        [-1, -1],
        [1, 1],
        [-1, 1],
        [1, -1],
      ] as const;
      while (await consider(around.map(([dp, dq]) => [best[0] + dp, best[1] + dq] as const))) {
        // keep moving
      }
    }
    if (!Number.isFinite(bestA))
      throw new InputError('ARIMA_NO_FIT', 'no ARIMA order could be fitted to this series', {
        hint: 'try SNAIVE or MSTL',
      });
    return { order: [best[0], d, best[1]], aicc: bestA, search };
  }

  /** One order: forecasts and AICc, or undefined when the package fails (NaN, Inf, error). */
  private async fitOrder(
    y: Float64Array,
    base: Float64Array,
    [p, d, q]: [number, number, number],
    s: number,
    H: number,
    signal?: AbortSignal,
  ): Promise<
    { aicc: number; mean: number[]; variance: number[]; coef?: { phi: number[]; theta: number[] } } | undefined
  > {
    const w = d > 0 ? diff(base, 1) : base;
    const n = w.length;
    if (p === 0 && q === 0) {
      // White noise around a mean (d = 0) or a random walk (d = 1), in closed form.
      const sigma2 = variance(w, d === 0);
      const last = y[y.length - 1]!;
      let mu = 0;
      for (const v of base) mu += v;
      mu /= base.length;
      const mean: number[] = [];
      const vars: number[] = [];
      for (let h = 1; h <= H; h++) {
        const prevSeason = s > 0 ? y[y.length - s + ((h - 1) % s)]! : 0;
        const level = d === 0 ? mu : s > 0 ? base[base.length - 1]! : last;
        mean.push(s > 0 ? prevSeason + level : level);
        vars.push(d === 0 ? sigma2 * (1 + 1 / n) : sigma2 * h);
      }
      return { aicc: aicc(n, sigma2, d === 0 ? 2 : 1), mean, variance: vars, coef: { phi: [], theta: [] } };
    }
    let r: ArimaResult;
    try {
      r = await runArima({ y, p, d, q, D: s > 0 ? 1 : 0, s, h: H }, signal);
    } catch (e) {
      if (signal?.aborted) throw e; // a cancelled run, not a failed order
      return undefined;
    }
    if (!r.mean.every(Number.isFinite) || !r.variance.every((v) => Number.isFinite(v) && v >= 0)) return undefined;
    const sigma2 = r.variance[0]!;
    const k = p + q + (d === 0 && s === 0 ? 1 : 0) + 1;
    return {
      aicc: aicc(n, sigma2, k),
      mean: r.mean,
      variance: r.variance,
      ...(r.coef ? { coef: { phi: r.coef.phi, theta: r.coef.theta } } : {}),
    };
  }

  /** The chosen order and the AICc of every order tried. */
  get selection(): { order: [number, number, number]; aicc: number; search: State['search'] } | undefined {
    return this.state && { order: this.state.order, aicc: this.state.aicc, search: this.state.search };
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    checkHorizon(h);
    if (h > st.mean.length && !st.ext)
      throw new InputError(
        'HORIZON_TOO_LONG',
        `this ARIMA was saved by an older version for horizons up to ${st.mean.length} steps, not ${h}`,
        { flag: '--horizon', hint: 'refit it (forecast --data …)' },
      );
    const path = st.ext
      ? extendPath({ ...st.ext, mean: st.mean, variance: st.variance }, h)
      : { mean: st.mean.slice(0, h), variance: st.variance.slice(0, h) };
    const ds = futureTimes(st.lastDs, st.stepMs, h);
    const mean = Float64Array.from(path.mean);
    return { ds, mean, intervals: normalIntervals(mean, path.variance.map(Math.sqrt), options.levels) };
  }

  rollingMeans(origins: readonly number[], h: number): Float64Array[] {
    const st = this.state;
    if (!st || !this.series) throw new NotFittedError(this.name);
    if (!st.ext) throw new TypeError('this ARIMA has no coefficients to forecast from earlier origins');
    return rollingPath({ ...st.ext, mean: st.mean, variance: st.variance }, this.series, origins, h);
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    writeManifest(dir, {
      model: this.name,
      params: { ...this.params, order: st.order },
      libraries: { arima: '0.2.8' },
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: {
        mean: st.mean,
        variance: st.variance,
        aicc: st.aicc,
        search: st.search,
        ...(st.ext ? { ext: st.ext } : {}),
      },
    });
  }

  static load(dir: string): Arima {
    const m = readManifest(dir, 'ARIMA');
    const p = m.payload as {
      mean: number[];
      variance: number[];
      aicc: number;
      search: State['search'];
      ext?: State['ext'];
    };
    const params = m.params as unknown as ArimaParams & { order: [number, number, number] };
    const file = join(dir, 'manifest.json');
    finiteArray(file, 'params.order', params.order, { min: 0, length: 3 });
    const mean = finiteArray(file, 'payload.mean', p.mean);
    finiteArray(file, 'payload.variance', p.variance, { min: 0, length: mean.length });
    if (p.ext) {
      finiteArray(file, 'payload.ext.phi', p.ext.phi);
      finiteArray(file, 'payload.ext.theta', p.ext.theta);
      finiteArray(file, 'payload.ext.tail', p.ext.tail);
      finiteNumber(file, 'payload.ext.d', p.ext.d, { min: 0, max: 2 });
      finiteNumber(file, 'payload.ext.s', p.ext.s, { min: 0 });
    }
    const model = new Arima(params);
    model.state = {
      stepMs: m.stepMs,
      lastDs: m.lastDs,
      order: params.order,
      mean: p.mean,
      variance: p.variance,
      aicc: p.aicc,
      search: p.search,
      ...(p.ext ? { ext: p.ext } : {}),
    };
    return model;
  }
}
