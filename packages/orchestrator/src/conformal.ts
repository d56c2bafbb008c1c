import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Forecast, Forecaster, PredictOptions } from '@amf-foresight/core';
import { Layer } from './layer.js';
import { DEFAULT_LEVELS, conformalQuantile, writeFileAtomic } from '@amf-foresight/core';

/** Beside the model's manifest: the backtest errors its intervals are calibrated on. */
export const CONFORMAL_FILE = 'conformal.json';

/** At least this many scores behind each step's quantile: with 7 windows alone, 80, 90 and 95 % were one number. */
export const MIN_SCORES = 20;

/**
 * The scores of step i pooled with those of its neighbours i±1, i±2, … until there are at least
 * `min` (or every step is used), sorted: a profile over steps smoothed just enough to estimate its
 * upper quantiles.
 */
export function pooledScores(absErrors: readonly number[][], i: number, min = MIN_SCORES): number[] {
  const pool = [...(absErrors[i] ?? [])];
  for (let r = 1; pool.length < min && (i - r >= 0 || i + r < absErrors.length); r++) {
    pool.push(...(absErrors[i - r] ?? []), ...(absErrors[i + r] ?? []));
  }
  return pool.sort((a, b) => a - b);
}

/**
 * Split-conformal intervals: the model's mean, with the interval half-width at horizon h and
 * level L set to the conformal L-quantile of the absolute backtest errors at h (pooled with the
 * neighbouring steps' until there are MIN_SCORES). Calibrated on data the model did not see, so
 * nominal 90 % covers about 90 % when errors are exchangeable.
 */
export class Conformal extends Layer {
  constructor(
    inner: Forecaster,
    private readonly absErrors: number[][],
  ) {
    super(inner);
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const f = this.inner.predict(h, options);
    const intervals: Forecast['intervals'] = {};
    const steps = Math.min(h, this.absErrors.length);
    const scores = Array.from({ length: steps }, (_, i) => pooledScores(this.absErrors, i));
    for (const level of options.levels ?? DEFAULT_LEVELS) {
      const lo = new Float64Array(h);
      const hi = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        const errs = scores[Math.min(i, steps - 1)] ?? [];
        if (errs.length === 0) {
          lo[i] = f.intervals[level]?.lo[i] ?? NaN;
          hi[i] = f.intervals[level]?.hi[i] ?? NaN;
          continue;
        }
        const w = conformalQuantile(errs, level / 100);
        lo[i] = f.mean[i]! - w;
        hi[i] = f.mean[i]! + w;
      }
      intervals[level] = { lo, hi };
    }
    return { ds: f.ds, mean: f.mean, intervals };
  }

  save(dir: string): void {
    this.inner.save(dir);
    mkdirSync(dir, { recursive: true }); // a Forecaster of yours may save nothing
    writeFileAtomic(join(dir, CONFORMAL_FILE), JSON.stringify({ absErrors: this.absErrors }) + '\n');
  }
}
