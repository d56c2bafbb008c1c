import { join } from 'node:path';
import type { Forecast, Forecaster, PredictOptions, RollingForecaster } from '@amf-foresight/core';
import { Layer } from './layer.js';
import {
  DEFAULT_LEVELS,
  recencyWeight,
  weightedConformalQuantiles,
  writeFileAtomic,
  makeDir,
} from '@amf-foresight/core';

/** Beside the model's manifest: the backtest errors its intervals are calibrated on. */
export const CONFORMAL_FILE = 'conformal.json';

/** At least this many scores behind each step's quantile: with 7 windows alone, 80, 90 and 95 % were one number. */
export const MIN_SCORES = 20;

/**
 * Out-of-sample absolute errors per horizon step, and optionally a weight per error (same shape;
 * absent: all 1). Weights toward the recent past make the intervals follow a level shift.
 */
export interface Calibration {
  absErrors: number[][];
  weights?: number[][];
}

/**
 * The scores of step i pooled with those of its neighbours i±1, i±2, … until there are at least
 * `min` (or every step is used), with their weights: a profile over steps smoothed just enough to
 * estimate its upper quantiles.
 */
export function pooledScores(c: Calibration, i: number, min = MIN_SCORES): { scores: number[]; weights: number[] } {
  const take = (j: number) => c.absErrors[j] ?? [];
  const weightsOf = (j: number) => c.weights?.[j] ?? take(j).map(() => 1);
  const scores = [...take(i)];
  const weights = [...weightsOf(i)];
  for (let r = 1; scores.length < min && (i - r >= 0 || i + r < c.absErrors.length); r++) {
    scores.push(...take(i - r), ...take(i + r));
    weights.push(...weightsOf(i - r), ...weightsOf(i + r));
  }
  return { scores, weights };
}

/**
 * Conformal intervals: the model's mean, with the interval half-width at horizon step h and level
 * L the weighted conformal L-quantile (Barber et al. 2023) of the out-of-sample absolute errors at
 * h, pooled with the neighbouring steps' until there are MIN_SCORES. Steps past the calibrated
 * ones use the last. Nominal 90 % covers about 90 % when recent errors resemble the next ones.
 */
export class Conformal extends Layer {
  constructor(
    inner: Forecaster,
    readonly calibration: Calibration,
  ) {
    super(inner);
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const f = this.inner.predict(h, options);
    const levels = options.levels ?? DEFAULT_LEVELS;
    const steps = Math.min(h, this.calibration.absErrors.length);
    // One sort per calibrated step for all levels; the steps past them share the last step's widths
    // (a horizon of 20 000 steps had re-sorted one pool 60 000 times).
    const widths = Array.from({ length: steps }, (_, i) => {
      const p = pooledScores(this.calibration, i);
      return p.scores.length > 0
        ? weightedConformalQuantiles(
            p.scores,
            p.weights,
            levels.map((l) => l / 100),
          )
        : undefined;
    });
    const intervals: Forecast['intervals'] = {};
    levels.forEach((level, j) => {
      const lo = new Float64Array(h);
      const hi = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        const w = widths[Math.min(i, steps - 1)]?.[j];
        lo[i] = w === undefined ? (f.intervals[level]?.lo[i] ?? NaN) : f.mean[i]! - w;
        hi[i] = w === undefined ? (f.intervals[level]?.hi[i] ?? NaN) : f.mean[i]! + w;
      }
      intervals[level] = { lo, hi };
    });
    return { ds: f.ds, mean: f.mean, intervals };
  }

  save(dir: string): void {
    this.inner.save(dir);
    makeDir(dir); // a Forecaster of yours may save nothing
    writeFileAtomic(join(dir, CONFORMAL_FILE), JSON.stringify(this.calibration) + '\n');
  }
}

export interface RollingCalibrationOptions {
  horizon: number;
  /** The season in steps (a day): the calibration origins span one, so every time of day is scored. */
  season: number;
  /** Score the forecasts clipped at zero, as NonNegative will give them. */
  nonNegative?: boolean;
}

/**
 * The most scores a rolling calibration keeps (origins × steps). A day of 1-minute origins, each
 * scored a day ahead, is 1 440² ≈ 2.1 M scores (an 82 MB conformal.json and seconds of sorting per
 * forecast); 10-second data would be 75 M. 250 000 keeps every origin of 5-minute data (288²).
 */
export const MAX_CALIBRATION_SCORES = 250_000;

/**
 * Calibration from many cheap rolling origins of a fitted RollingForecaster: the last min(season,
 * n/2 − h) origins whose h steps are observed, one step apart (or evenly spaced over the same span
 * when that would be more than MAX_CALIBRATION_SCORES), forecast with the fitted parameters from the
 * data before each origin; errors weighted 2^(−age/(season/4)), age in steps before the last origin,
 * so the intervals follow a level that shifted within the last day.
 */
export function rollingCalibration(
  model: RollingForecaster,
  y: ArrayLike<number>,
  o: RollingCalibrationOptions,
): Calibration {
  const n = y.length;
  // Steps past a season share the last calibrated step's scores (Conformal's rule): the 70/20/10 split
  // of 100 000 points would otherwise score 20 000 steps × a day of origins.
  const h = Math.min(o.horizon, Math.max(1, o.season));
  const last = n - h;
  const span = Math.max(0, Math.min(o.season, Math.floor(n / 2) - h));
  const stride = Math.max(1, Math.ceil((span * h) / MAX_CALIBRATION_SCORES));
  const count = Math.ceil(span / stride);
  const origins = Array.from({ length: count }, (_, k) => last - (count - 1 - k) * stride);
  const means = model.rollingMeans(origins, h);
  const halfLife = Math.max(1, o.season / 4);
  const c: Required<Calibration> = {
    absErrors: Array.from({ length: h }, () => []),
    weights: Array.from({ length: h }, () => []),
  };
  origins.forEach((origin, k) => {
    for (let i = 0; i < h; i++) {
      const a = y[origin + i]!;
      const f = means[k]![i]!;
      if (Number.isNaN(a) || Number.isNaN(f)) continue;
      c.absErrors[i]!.push(Math.abs(a - (o.nonNegative && f < 0 ? 0 : f)));
      c.weights[i]!.push(recencyWeight(last - origin, halfLife));
    }
  });
  return c;
}
