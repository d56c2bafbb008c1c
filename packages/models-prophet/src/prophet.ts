import {
  AmfError,
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
import { loadEngine, optimiseAsync, recordingOptimizer } from './engine.js';
import type { AugursProphet } from './engine.js';
import type { StanFit } from './engine.js';
import { simulateIntervals } from './uncertainty.js';

/** 'auto' as Python Prophet decides it (from the span and step of the data), on/off, or a Fourier order. */
export type SeasonalityOption = 'auto' | boolean | number;

export interface ProphetParams {
  /** 'linear' (default) or 'flat'. Logistic growth needs a capacity column, which series here do not carry. */
  growth?: 'linear' | 'flat';
  /** Default 25, reduced as Python does when the series is short. */
  nChangepoints?: number;
  /** Share of the history where changepoints may sit; default 0.8. */
  changepointRange?: number;
  /** Laplace scale of the trend changes; default 0.05. */
  changepointPriorScale?: number;
  /** Default 10. */
  seasonalityPriorScale?: number;
  seasonalityMode?: 'additive' | 'multiplicative';
  daily?: SeasonalityOption;
  weekly?: SeasonalityOption;
  yearly?: SeasonalityOption;
  /** 'absmax' (default) or 'minmax', as Python Prophet's `scaling`. */
  scaling?: 'absmax' | 'minmax';
  /** Simulated paths for the intervals; default 1000, as Python. */
  uncertaintySamples?: number;
  /** Seed of the interval simulation; default 0, so intervals are reproducible. */
  seed?: number;
  /**
   * Round the fitted parameters to 6 significant digits, as Python Prophet reads them from
   * CmdStan's CSV (default true, for agreement with Python).
   */
  roundParams?: boolean;
}

interface State {
  stepMs: number;
  lastDs: number;
  /** Training rows with a value (Prophet drops missing ones), ms and values. */
  ds: number[];
  y: number[];
  fit: StanFit;
}

type AugursModel = InstanceType<typeof import('@bsull/augurs/prophet').Prophet>;

export class ProphetFitError extends AmfError {
  constructor(message: string, cause: unknown) {
    super(
      'PROPHET_FIT_FAILED',
      `Prophet: ${message}`,
      { hint: 'check the series for long flat stretches or extreme values' },
      { exitCode: 2, cause },
    );
  }
}

function seasonality(
  o: SeasonalityOption | undefined,
): { type: 'auto' } | { type: 'manual'; enabled: boolean } | { type: 'fourier'; order: number } {
  if (o === undefined || o === 'auto') return { type: 'auto' };
  if (typeof o === 'boolean') return { type: 'manual', enabled: o };
  if (!Number.isInteger(o) || o < 1)
    throw new InputError('PROPHET_BAD_PARAM', `a seasonality's Fourier order must be a whole number ≥ 1, got ${o}`);
  return { type: 'fourier', order: o };
}

/**
 * Prophet: Python Prophet's model and defaults (docs/PROPHET_MODEL.md) on augurs, with Prophet's
 * own Stan model compiled to WebAssembly doing the fit. Intervals are simulated here, as
 * Prophet does, so that one fit serves every level.
 *
 * Differences from Python, on purpose or forced: the fit always uses L-BFGS (Python uses
 * Newton below 100 rows, and the WebAssembly build's Newton aborts); the interval draws use
 * our seeded generator, not numpy's. `save` keeps the training rows and the fitted
 * parameters; `load` refits and checks it got the same parameters.
 */
export class Prophet implements Forecaster {
  readonly name = 'PROPHET';
  private state: State | undefined;
  private model: AugursModel | undefined;

  constructor(readonly params: ProphetParams = {}) {
    const r = params.changepointRange;
    if (r !== undefined && !(r >= 0 && r <= 1))
      throw new InputError('PROPHET_BAD_PARAM', `changepointRange must be in [0, 1], got ${r}`);
    for (const k of ['changepointPriorScale', 'seasonalityPriorScale'] as const) {
      const v = params[k];
      if (v !== undefined && !(v > 0)) throw new InputError('PROPHET_BAD_PARAM', `${k} must be > 0, got ${v}`);
    }
  }

  /** The fitted Stan parameters (scaled units), after rounding if `roundParams`. */
  get fitted(): StanFit | undefined {
    return this.state?.fit;
  }

  async fit(series: SeriesInput, options: FitOptions = {}): Promise<this> {
    // Prophet fits the rows it has, so gaps are fine as long as 60 % of the points are there.
    const stepMs = checkSeries(series, this.name, 3, 0.4);
    // augurs takes whole seconds: a millisecond grid was a failed fit deep inside it.
    if (stepMs % 1000 !== 0 || series.ds[0]! % 1000 !== 0)
      throw new InputError('PROPHET_BAD_STEP', `Prophet needs timestamps on whole seconds; the step is ${stepMs} ms`, {
        hint: 'generate the dataset with a --step of whole seconds',
      });
    const ds: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < series.y.length; i++) {
      if (!Number.isNaN(series.y[i]!)) {
        ds.push(series.ds[i]!);
        y.push(series.y[i]!);
      }
    }
    const { model, fit } = await this.fitRows(ds, y, options.signal);
    this.model = model;
    this.state = { stepMs, lastDs: series.ds[series.ds.length - 1]!, ds, y, fit };
    return this;
  }

  private async fitRows(
    ds: number[],
    y: number[],
    signal?: AbortSignal,
  ): Promise<{ model: AugursModel | undefined; fit: StanFit }> {
    // Python skips the optimiser for a constant history (§1) and forecasts the constant; the
    // WebAssembly optimiser aborts on such data, so it is not called.
    if (y.every((v) => v === y[0]))
      return { model: undefined, fit: { k: 0, m: 0, delta: [], beta: [], sigmaObs: 1e-9, S: 0, algorithm: 'none' } };
    const engine = await loadEngine();
    let lastError: unknown;
    // Python falls back to Newton when L-BFGS stops on an error; the WebAssembly Newton aborts,
    // so the fallback here is BFGS.
    for (const algorithm of ['lbfgs', 'bfgs'] as const) {
      let model: AugursModel | undefined;
      let rec: ReturnType<typeof recordingOptimizer> | undefined;
      try {
        await optimiseAsync((optimizer) => {
          rec = recordingOptimizer(optimizer, this.params.roundParams ?? true);
          model = this.augurs(engine, rec.optimizer);
          model.fit({ ds: ds.map((t) => t / 1000), y }, { algorithm, iter: 10_000 });
        }, signal);
        const fit = rec?.last();
        if (model && fit) return { model, fit };
      } catch (e) {
        signal?.throwIfAborted();
        lastError = e;
      }
    }
    throw new ProphetFitError(
      ((lastError as Error | undefined)?.message ?? 'the optimiser returned nothing').split('\n')[0]!,
      lastError,
    );
  }

  /** An unfitted augurs Prophet with this model's options, fitting through `optimizer`. */
  private augurs(engine: AugursProphet, optimizer: unknown): AugursModel {
    const p = this.params;
    return new engine.Prophet({
      optimizer: optimizer as never,
      growth: p.growth ?? 'linear',
      nChangepoints: p.nChangepoints ?? 25,
      changepointRange: p.changepointRange ?? 0.8,
      changepointPriorScale: p.changepointPriorScale ?? 0.05,
      seasonalityPriorScale: p.seasonalityPriorScale ?? 10,
      seasonalityMode: p.seasonalityMode ?? 'additive',
      dailySeasonality: seasonality(p.daily),
      weeklySeasonality: seasonality(p.weekly),
      yearlySeasonality: seasonality(p.yearly),
      scaling: p.scaling === 'minmax' ? 'minMax' : 'absMax',
      uncertaintySamples: 0,
    });
  }

  private yScale(): number {
    const y = this.state!.y;
    let lo = Infinity;
    let hi = -Infinity;
    let abs = 0;
    for (const v of y) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      abs = Math.max(abs, Math.abs(v));
    }
    const s = this.params.scaling === 'minmax' ? hi - lo : abs;
    return s === 0 ? 1 : s;
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    checkHorizon(h);
    const ds = futureTimes(st.lastDs, st.stepMs, h);
    const levels = options.levels ?? DEFAULT_LEVELS;
    if (!this.model) {
      return constantForecast(ds, st.y[0]!, levels);
    }
    const pr = this.model.predict({ ds: Array.from(ds, (t) => t / 1000) });
    const mean = Float64Array.from(pr.yhat.point);
    const start = st.ds[0]!;
    const tScale = st.ds[st.ds.length - 1]! - start || 1;
    const intervals = simulateIntervals({
      yhat: mean,
      multiplicative: pr.multiplicative.point,
      t: Array.from(ds, (t) => (t - start) / tScale),
      historyStep: 1 / Math.max(1, st.ds.length - 1),
      growth: this.params.growth ?? 'linear',
      S: st.fit.S,
      delta: st.fit.delta,
      sigmaObs: st.fit.sigmaObs,
      yScale: this.yScale(),
      samples: this.params.uncertaintySamples ?? 1000,
      seed: this.params.seed ?? 0,
      levels,
    });
    return { ds, mean, intervals };
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    writeManifest(dir, {
      model: this.name,
      params: { ...this.params },
      libraries: { '@bsull/augurs': '0.10.2', '@bsull/augurs-prophet-wasmstan': '0.2.0' },
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: { ds: st.ds, y: st.y, fit: st.fit },
    });
  }

  static async load(dir: string): Promise<Prophet> {
    const m = readManifest(dir, 'PROPHET');
    const p = m.payload as { ds: number[]; y: number[]; fit: StanFit };
    const model = new Prophet(m.params);
    const { model: aug, fit } = await model.fitRows(p.ds, p.y);
    const same =
      fit.algorithm === p.fit.algorithm &&
      fit.k === p.fit.k &&
      fit.m === p.fit.m &&
      fit.sigmaObs === p.fit.sigmaObs &&
      fit.delta.every((v, i) => v === p.fit.delta[i]) &&
      fit.beta.every((v, i) => v === p.fit.beta[i]);
    if (!same) {
      throw new InputError(
        'PROPHET_REFIT_MISMATCH',
        'refitting the saved Prophet model gave different parameters than were saved',
        {
          file: dir,
          hint: `the model was saved with ${JSON.stringify(m.libraries)}; install those versions or retrain`,
        },
      );
    }
    model.model = aug;
    model.state = { stepMs: m.stepMs, lastDs: m.lastDs, ds: p.ds, y: p.y, fit };
    return model;
  }
}
