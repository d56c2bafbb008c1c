import { InputError, NotFittedError, checkpoint, isRolling } from '@amf-foresight/core';
import type { FitOptions, Forecast, Forecaster, PredictOptions, SeriesInput } from '@amf-foresight/core';
import { Conformal, rollingCalibration } from './conformal.js';
import type { Calibration } from './conformal.js';
import { NonNegative, inDomain } from './domain.js';
import type { Domain } from './domain.js';
import { AUTO_CANDIDATES, autoScore, backtest, seasonOf } from './evaluation.js';
import type { BacktestOptions, BacktestResult } from './evaluation.js';
import { modelFactory } from './registry.js';
import type { ModelOptions } from './registry.js';

export interface AutoResult {
  chosen: string;
  results: BacktestResult[];
  /** Candidates that could not be backtested on this series, and why. */
  skipped: { model: string; reason: string }[];
  /** The chosen model fitted on the whole series, with conformal intervals from its backtest. */
  model: Forecaster;
}

/**
 * The former `--model auto`, kept for comparison (bench/models.mjs measures it against the
 * combination that replaced it): backtests every candidate and picks the lowest mean scaled pinball loss at
 * q = 0.5 and 0.9; within 1 % of the best, the faster model wins. The backtest origins are
 * max(horizon, season / windows) steps apart by default. The winner is refitted on all
 * the data and its intervals calibrated on its own backtest errors.
 */
export async function autoSelect(
  series: SeriesInput,
  options: BacktestOptions & ModelOptions & { domain?: Domain },
): Promise<AutoResult> {
  const domain = options.domain ?? 'real';
  // Unless told otherwise, the windows are spread over one season (a day) rather than packed into the
  // last windows × horizon steps: the choice and the conformal scores then see every time of day.
  const o = {
    ...options,
    step: options.step ?? Math.max(options.horizon, Math.floor((options.season ?? seasonOf(series)) / options.windows)),
  };
  const results: BacktestResult[] = [];
  const skipped: { model: string; reason: string }[] = [];
  for (const name of AUTO_CANDIDATES) {
    try {
      results.push(
        await backtest(series, inDomain(domain, await modelFactory(name, { ...o, maxHorizon: o.horizon })), o),
      );
    } catch (e) {
      // A candidate that cannot fit these windows (MSTL needs two seasons) is left out, with the reason.
      if (!(e instanceof InputError)) throw e;
      skipped.push({ model: name, reason: e.message });
      o.log?.(`auto: ${name} left out: ${e.message}`);
    }
  }
  if (results.length === 0)
    throw new InputError(
      'AUTO_NO_CANDIDATE',
      `no candidate model could be backtested: ${skipped.map((s) => `${s.model}: ${s.reason}`).join('; ')}`,
    );
  const best = Math.min(...results.map((r) => autoScore(r.mean)));
  const near = results.filter((r) => autoScore(r.mean) <= best * 1.01).sort((a, b) => a.fitSeconds - b.fitSeconds);
  const chosen = near[0]!;
  const make = inDomain(
    domain,
    await modelFactory(chosen.model, { ...o, maxHorizon: Math.max(o.horizon, o.maxHorizon ?? 0) }),
  );
  // The conformal scores are errors of the model's forecasts in the domain; its bounds are kept there too.
  const conformal = new Conformal(make(), chosen.calibration);
  const model = await (domain === 'non-negative' ? new NonNegative(conformal) : conformal).fit(series);
  return { chosen: chosen.model, results, skipped, model };
}

export interface CalibratedOptions {
  horizon: number;
  /** Season in steps (default: a day of the step): the span of the rolling calibration origins. */
  season?: number;
  domain: Domain;
  /** Errors to calibrate on when the model cannot forecast from earlier origins (a backtest's). */
  fallback?: Calibration;
}

/**
 * A model with conformal intervals, in its domain: NonNegative(Conformal(NonNegative(model))) for
 * non-negative series. A model that can forecast from earlier origins (ARIMA, THETA, COMBO) is
 * calibrated on a day of rolling origins of its own fit; any other on `fallback`, else it keeps its
 * own intervals.
 */
export class Calibrated implements Forecaster {
  readonly name: string;
  private model: Forecaster | undefined;
  private fittedInner: Forecaster | undefined;

  constructor(
    private readonly make: () => Forecaster,
    private readonly o: CalibratedOptions,
  ) {
    this.name = make().name;
  }

  async fit(series: SeriesInput, options?: FitOptions): Promise<this> {
    const inner = await this.make().fit(series, options);
    await checkpoint(options?.signal); // before the rolling calibration's synchronous work
    const nonNegative = this.o.domain === 'non-negative';
    const season = this.o.season ?? seasonOf(series);
    const rolling = isRolling(inner)
      ? rollingCalibration(inner, series.y, { horizon: this.o.horizon, season, nonNegative })
      : undefined;
    const cal = rolling && rolling.absErrors.some((e) => e.length > 0) ? rolling : this.o.fallback;
    const inDom = nonNegative ? new NonNegative(inner) : inner;
    this.fittedInner = inner;
    this.model = !cal ? inDom : nonNegative ? new NonNegative(new Conformal(inDom, cal)) : new Conformal(inDom, cal);
    return this;
  }

  /** The fitted model under the layers (e.g. a Combination, to name its members). */
  get inner(): Forecaster | undefined {
    return this.fittedInner;
  }

  predict(h: number, options?: PredictOptions): Forecast {
    if (!this.model) throw new NotFittedError(this.name);
    return this.model.predict(h, options);
  }

  save(dir: string): void {
    if (!this.model) throw new NotFittedError(this.name);
    this.model.save(dir);
  }
}

/** `--model auto`: the equal-weight combination of ARIMA, THETA and seasonal ARIMA, calibrated on rolling origins. */
export async function autoModel(
  o: CalibratedOptions & Pick<ModelOptions, 'maxHorizon' | 'log'>,
): Promise<() => Calibrated> {
  const make = await modelFactory('COMBO', {
    maxHorizon: Math.max(o.horizon, o.maxHorizon ?? 0),
    ...(o.season !== undefined ? { season: o.season } : {}),
  });
  return () => new Calibrated(make, o);
}
