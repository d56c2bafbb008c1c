import { InputError, UsageError, checkHorizon, checkpoint, regularise, silentProgress } from '@amf-foresight/core';
import type { Dataset, Forecast, Forecaster, RunContext, SeriesInput, Stage } from '@amf-foresight/core';
import { Calibrated, autoModel } from './auto.js';
import { Combination } from './combination.js';
import type { Calibration } from './conformal.js';
import { pickSeries } from './dataset.js';
import { backtest, prototypeSplit } from './evaluation.js';
import type { MaseScale, Metrics } from './evaluation.js';
import { domainOf } from './domain.js';
import type { Domain } from './domain.js';
import { modelFactory, normaliseModelName } from './registry.js';

export interface TrainOptions {
  /**
   * A registered model name (NAIVE, SNAIVE, MSTL, THETA, ARIMA, PROPHET, LSTM, COMBO, or AUTO for
   * the calibrated combination; case-insensitive), or your own Forecaster: a factory of fresh ones, or one instance
   * (refitted for every backtest window, one after the other).
   */
  model: string | Forecaster | (() => Forecaster);
  /** Parameters of a named model, checked against its specs (`modelParams(name)`). */
  params?: Readonly<Record<string, unknown>>;
  /** unique_id to train on (default: the first series). */
  series?: string;
  horizon: number;
  windows: number;
  /** Steps between backtest origins (default: the horizon). */
  backtestStep?: number;
  /** Season in steps for SNAIVE/MSTL and the MASE scale (default: one day of the step). */
  season?: number;
  /**
   * `non-negative`: the mean and every bound are clipped at zero (see NonNegative). Default: from the
   * dataset (its type; without one, non-negative when no training value is negative).
   */
  domain?: Domain;
}

export interface TrainMetrics {
  series: string;
  model: string;
  points: number;
  prototype: { testMse: number | null; forecastMse: number | null; note?: string };
  backtest: { horizon: number; windows: number; mean: Metrics; maseScale: MaseScale };
  /** auto's members (the models it averages). */
  members?: string[];
}

/** What the train stage hands on: the model fitted on the whole series, its forecast and its evaluation. */
export interface Trained {
  readonly kind: 'trained';
  seriesId: string;
  series: SeriesInput;
  model: Forecaster;
  forecast: Forecast;
  metrics: TrainMetrics;
  /** Unit of the values (from the dataset's metadata), for plots. */
  unit: string;
  /** The dataset's metadata (namespace, workload, nf, level, type, …), for the forecast's labels. */
  metadata?: Readonly<Record<string, unknown>>;
}

/** Said after a MASE whose scale is not the seasonal naive one. */
export function scaleNote(kind: MaseScale): string {
  return kind === 'seasonal naive' ? '' : ` (scale: ${kind})`;
}

function checkOptions(o: TrainOptions): void {
  checkHorizon(o.horizon);
  if (!(Number.isInteger(o.windows) && o.windows >= 1))
    throw new UsageError('BAD_WINDOWS', '--windows must be a whole number ≥ 1', { flag: '--windows' });
  if (o.backtestStep !== undefined && !(Number.isInteger(o.backtestStep) && o.backtestStep >= 1))
    throw new UsageError('BAD_BACKTEST_STEP', '--backtest-step must be a whole number ≥ 1', {
      flag: '--backtest-step',
    });
  if (o.season !== undefined && !(Number.isInteger(o.season) && o.season >= 1))
    throw new UsageError('BAD_SEASON', '--season must be a whole number ≥ 1', { flag: '--season' });
}

/** A sync factory for the model option, and the name it goes by. */
async function factoryFor(
  o: TrainOptions,
  opts: { season?: number; log: (m: string) => void },
  maxHorizon: number,
): Promise<() => Forecaster> {
  if (typeof o.model === 'string')
    return modelFactory(o.model, { ...opts, maxHorizon, ...(o.params ? { params: o.params } : {}) });
  const m = o.model;
  return typeof m === 'function' ? m : () => m;
}

/**
 * The model factory as train uses it: in the series' domain, with conformal intervals (rolling
 * origins of its own fit where the model can, else `fallback`, a backtest's errors); auto is the
 * calibrated combination.
 */
async function makerFor(
  o: TrainOptions,
  opts: { season?: number; log: (m: string) => void },
  horizon: number,
  domain: Domain,
  fallback?: Calibration,
): Promise<() => Forecaster> {
  const c = { horizon, domain, ...(opts.season !== undefined ? { season: opts.season } : {}) };
  if (typeof o.model === 'string' && normaliseModelName(o.model) === 'AUTO') return autoModel(c);
  const make = await factoryFor(o, opts, horizon);
  return () => new Calibrated(make, { ...c, ...(fallback ? { fallback } : {}) });
}

/**
 * The most points any model is trained on: the latest ones are kept. A million 1-minute points ran
 * MSTL, auto and LSTM past 300 s and Prophet to 4.9 GB; 100 000 is 69 days at 1 minute, a year at 5.
 */
export const MAX_TRAIN_POINTS = 100_000;

function latest(s: SeriesInput, n: number): SeriesInput {
  const len = s.y.length;
  return len <= n ? s : { ds: Array.from(s.ds).slice(len - n), y: Array.from(s.y).slice(len - n) };
}

/**
 * Every model gets a regular grid (core's regularise: sorted, duplicates merged, missing steps as
 * gaps), said in one line; and the domain its forecasts are kept in.
 */
function prepare(
  id: string,
  input: SeriesInput,
  o: TrainOptions,
  ctx: Partial<RunContext> & Pick<RunContext, 'logger'>,
) {
  const { series: all, notes } = regularise(input);
  const series = latest(all, MAX_TRAIN_POINTS);
  if (series !== all)
    notes.push(`${all.y.length} points: models see the latest ${MAX_TRAIN_POINTS} (MAX_TRAIN_POINTS)`);
  if (notes.length > 0) {
    ctx.logger.info(`series ${id}: ${notes.join('; ')}`);
    ctx.record?.({ regularised: notes });
  }
  const domain: Domain = o.domain ?? (Array.from(series.y).some((v) => v < 0) ? 'real' : 'non-negative');
  return { series, domain };
}

/**
 * Backtest (rolling origin), the prototype's 70/20/10 figures, a final fit on the whole series and
 * its forecast. Writes nothing: the runner persists the result.
 */
export async function trainSeries(
  id: string,
  input: SeriesInput,
  o: TrainOptions,
  ctx: Pick<RunContext, 'logger' | 'signal'> & Partial<RunContext>,
): Promise<Omit<Trained, 'unit'>> {
  checkOptions(o);
  const log = ctx.logger;
  const { series, domain } = prepare(id, input, o, ctx);
  const progress = ctx.progress ?? silentProgress;
  if (!series.y.some((v) => !Number.isNaN(v)))
    throw new InputError('SERIES_EMPTY', `series ${id}: ${series.y.length} of ${series.y.length} points are missing`, {
      hint: 'generate the dataset over a window where the workload ran',
    });
  const auto = typeof o.model === 'string' && normaliseModelName(o.model) === 'AUTO';
  const base = {
    horizon: o.horizon,
    windows: o.windows,
    signal: ctx.signal,
    log: (m: string) => (m.includes(' epoch ') ? log.debug(m) : log.info(m)),
    onFit: () => progress.advance(1),
    ...(o.backtestStep !== undefined ? { step: o.backtestStep } : {}),
    ...(o.season !== undefined ? { season: o.season } : {}),
  };
  const name =
    typeof o.model === 'string'
      ? normaliseModelName(o.model)
      : (typeof o.model === 'function' ? o.model() : o.model).name;
  log.info(
    `training ${name} on ${id} (${series.y.length} points): backtest with ${o.windows} windows of ${o.horizon} steps`,
  );
  progress.start(`train ${name}`, o.windows + 3, 'fits');
  if (auto && o.params && Object.keys(o.params).length > 0)
    throw new UsageError('BAD_MODEL_PARAM', 'auto combines several models: --model-param applies to one named model', {
      flag: '--model-param',
    });
  const bt = await backtest(series, await makerFor(o, base, o.horizon, domain), base);
  await checkpoint(ctx.signal);
  const horizon = Math.max(o.horizon, Math.ceil(series.y.length * 0.2) + 1);
  const model = await (await makerFor(o, base, horizon, domain, bt.calibration))().fit(series, { signal: ctx.signal });
  const members = model instanceof Calibrated && model.inner instanceof Combination ? model.inner.memberLabels : [];
  if (members.length > 0) log.info(`auto: the mean of ${members.join(', ')}`);
  const chosen = auto ? 'AUTO' : name;
  progress.advance(1);
  await checkpoint(ctx.signal);
  const prototype = await prototypeFigures(series, o, base, log, domain);
  progress.advance(2);
  await checkpoint(ctx.signal);
  const forecast = model.predict(o.horizon);
  progress.done(`backtest MASE ${bt.mean.mase.toFixed(3)}`);
  const metrics: TrainMetrics = {
    series: id,
    model: chosen,
    points: series.y.length,
    prototype,
    backtest: { horizon: o.horizon, windows: bt.windows.length, mean: bt.mean, maseScale: bt.maseScale },
    ...(members.length > 0 ? { members } : {}),
  };
  log.info(
    `${chosen} on ${id}: test MSE ${prototype.testMse?.toPrecision(4) ?? 'n/a'}, forecast MSE ` +
      `${prototype.forecastMse?.toPrecision(4) ?? 'n/a'}; backtest (h=${o.horizon}, ` +
      `${bt.windows.length} windows) MASE ${bt.mean.mase.toFixed(3)}${scaleNote(bt.maseScale)}, RMSE ` +
      `${bt.mean.rmse.toPrecision(4)}, 90 % coverage ${(bt.mean.coverage90 * 100).toFixed(0)} % ` +
      `(scaled interval score ${bt.mean.scaledIntervalScore90.toPrecision(3)})`,
  );
  return { kind: 'trained', seriesId: id, series, model, forecast, metrics };
}

/**
 * The prototype's 70/20/10 figures. The 70 % part may be too short for a model that fits the whole
 * series (MSTL needs two seasons): then they are reported as unavailable, with the reason.
 */
async function prototypeFigures(
  series: SeriesInput,
  o: TrainOptions,
  base: { season?: number; log: (m: string) => void; signal: AbortSignal },
  log: RunContext['logger'],
  domain: Domain,
): Promise<TrainMetrics['prototype']> {
  try {
    const make = await makerFor(o, base, Math.ceil(series.y.length * 0.2) + 1, domain);
    return await prototypeSplit(series, make, { signal: base.signal });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    log.warn(`prototype 70/20/10 split not evaluated: ${e.message}`);
    return { testMse: null, forecastMse: null, note: e.message };
  }
}

/** Train as a stage: a `Dataset` in, a `Trained` model with its forecast and metrics out. */
export function trainStage(o: TrainOptions): Stage<Dataset, Trained> {
  checkOptions(o); // when the plan is built: bad options fail before any data is read
  return {
    name: 'train',
    run: async (d, ctx) => {
      const { id, series } = pickSeries(d, o.series);
      const r = await trainSeries(id, series, { ...o, domain: o.domain ?? domainOf(d, series) }, ctx);
      ctx.record({ series: id, model: r.metrics.model, points: r.metrics.points });
      return { ...r, unit: typeof d.metadata['unit'] === 'string' ? d.metadata['unit'] : '', metadata: d.metadata };
    },
  };
}
