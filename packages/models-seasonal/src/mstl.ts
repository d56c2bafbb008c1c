import {
  DEFAULT_LEVELS,
  InputError,
  NotFittedError,
  checkHorizon,
  checkSeries,
  constantForecast,
  futureTimes,
  readManifest,
  writeManifest,
} from '@amf-foresight/core';
import type { FitOptions, Forecast, Forecaster, PredictOptions, SeriesInput } from '@amf-foresight/core';
import { MstlHandle } from './mstl-worker.js';

const DAY_MS = 86_400_000;

export interface MstlParams {
  /** Season lengths in steps; default: one day of the series' step. */
  periods?: number[];
}

interface State {
  stepMs: number;
  lastDs: number;
  periods: number[];
  y: number[];
  constant: number | undefined;
}

/**
 * MSTL decomposition (one or more seasonal periods) with an AutoETS model of the trend,
 * from Grafana's augurs (Rust compiled to WebAssembly). augurs cannot serialise the fitted
 * model, so `save` keeps the training values and `load` refits them: the fit is
 * deterministic, so the forecast is the same.
 */
export class MstlEts implements Forecaster {
  readonly name = 'MSTL';
  private state: State | undefined;
  private model: MstlHandle | undefined;

  constructor(readonly params: MstlParams = {}) {}

  async fit(series: SeriesInput, options: FitOptions = {}): Promise<this> {
    const step = checkSeries(series, this.name, 2);
    const periods = this.params.periods ?? [Math.max(2, Math.round(DAY_MS / step))];
    const n = series.y.length;
    const need = 2 * Math.max(...periods) + 1;
    if (n < need)
      throw new InputError(
        'SERIES_TOO_SHORT',
        `MSTL with a period of ${Math.max(...periods)} steps needs at least ${need} points (two seasons), got ${n}`,
        { hint: 'use a longer window, or SNAIVE' },
      );
    const y = Array.from(series.y);
    const finite = y.filter((v) => !Number.isNaN(v));
    const constant = finite.every((v) => v === finite[0]) ? finite[0] : undefined;
    this.state = { stepMs: step, lastDs: series.ds[n - 1]!, periods, y, constant };
    await this.refit(options.signal);
    return this;
  }

  private async refit(signal?: AbortSignal): Promise<void> {
    const st = this.state!;
    if (st.constant !== undefined) return; // a constant series forecasts itself, with no spread
    const job = { y: st.y, periods: st.periods, impute: st.y.some(Number.isNaN) };
    const fitted = await MstlHandle.fit(job, this, signal);
    // augurs' AutoETS finds no admissible trend model on some series ("no model found").
    if ('noFit' in fitted)
      throw new InputError('MSTL_NO_FIT', `MSTL could not fit this series: ${fitted.noFit}`, {
        hint: 'use THETA, ARIMA or auto',
      });
    this.model = fitted;
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    checkHorizon(h);
    const ds = futureTimes(st.lastDs, st.stepMs, h);
    const levels = options.levels ?? DEFAULT_LEVELS;
    if (st.constant !== undefined) {
      return constantForecast(ds, st.constant, levels);
    }
    const guard = this.guard();
    const forecasts = this.model!.predict(
      h,
      levels.map((l) => l / 100),
    );
    const intervals: Forecast['intervals'] = {};
    levels.forEach((level, j) => {
      const f = forecasts[j]!;
      if (!f.lower || !f.upper) throw new InputError('MSTL_NO_INTERVALS', 'the MSTL trend model gave no intervals');
      intervals[level] = { lo: Float64Array.from(f.lower, guard), hi: Float64Array.from(f.upper, guard) };
    });
    const mean = forecasts[0]?.point ?? this.model!.predict(h, [0.8])[0]!.point;
    return { ds, mean: Float64Array.from(mean, guard), intervals };
  }

  /**
   * The guard against an exploding ETS trend (after a burst, MSTL's 90 % interval at one day was
   * 412–430 wide on a 0–100 % series): the mean and every bound are kept within the training data's
   * range widened by that range on each side — no forecast goes further from what was seen than the
   * whole history spread.
   */
  private guard(): (v: number) => number {
    let [lo, hi] = [Infinity, -Infinity];
    for (const v of this.state!.y) if (!Number.isNaN(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const r = hi - lo;
    return (v) => Math.min(hi + r, Math.max(lo - r, v));
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    writeManifest(dir, {
      model: this.name,
      params: { ...this.params },
      libraries: { '@bsull/augurs': '0.10.2' },
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: { periods: st.periods, y: st.y.map((v) => (Number.isNaN(v) ? null : v)) },
    });
  }

  static async load(dir: string): Promise<MstlEts> {
    const m = readManifest(dir, 'MSTL');
    const p = m.payload as { periods: number[]; y: (number | null)[] };
    const model = new MstlEts(m.params);
    const y = p.y.map((v) => (v === null ? NaN : v));
    const finite = y.filter((v) => !Number.isNaN(v));
    model.state = {
      stepMs: m.stepMs,
      lastDs: m.lastDs,
      periods: p.periods,
      y,
      constant: finite.every((v) => v === finite[0]) ? finite[0] : undefined,
    };
    await model.refit();
    return model;
  }
}
