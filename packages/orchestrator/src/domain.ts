import { join } from 'node:path';
import { writeFileAtomic, makeDir } from '@amf-foresight/core';
import type { Dataset, Forecast, Forecaster, PredictOptions, SeriesInput } from '@amf-foresight/core';
import { Layer } from './layer.js';

/** Beside the model's manifest: the domain its forecasts are kept in. */
export const DOMAIN_FILE = 'domain.json';

/** `non-negative`: CPU cores, CPU %, memory; `real`: anything else. */
export type Domain = 'non-negative' | 'real';

/**
 * The domain of a dataset's values: non-negative for the memory, cpu and utilization features; real
 * for `raw`; for a dataset without our metadata (the prototype's layout), non-negative when no value
 * of the training series is negative.
 */
export function domainOf(d: Pick<Dataset, 'metadata'>, series: SeriesInput): Domain {
  const type = d.metadata['type'];
  if (type === 'memory' || type === 'cpu' || type === 'utilization') return 'non-negative';
  if (type !== undefined) return 'real';
  return Array.from(series.y).some((v) => v < 0) ? 'real' : 'non-negative';
}

const clip = (a: Float64Array): Float64Array => a.map((v) => (v < 0 ? 0 : v));

/**
 * Forecasts of a quantity that cannot be negative: the mean and every bound clipped at zero. For
 * values that are never negative this costs nothing on any measure: |a − max(0, f)| ≤ |a − f|, and
 * an interval [max(0, lo), max(0, hi)] holds every non-negative value [lo, hi] held — so it is used
 * rather than a transform that would change the model's fit.
 */
export class NonNegative extends Layer {
  predict(h: number, options: PredictOptions = {}): Forecast {
    const f = this.inner.predict(h, options);
    const intervals: Forecast['intervals'] = {};
    for (const [level, b] of Object.entries(f.intervals)) intervals[Number(level)] = { lo: clip(b.lo), hi: clip(b.hi) };
    return { ds: f.ds, mean: clip(f.mean), intervals };
  }

  save(dir: string): void {
    this.inner.save(dir);
    makeDir(dir); // a Forecaster of yours may save nothing
    writeFileAtomic(join(dir, DOMAIN_FILE), JSON.stringify({ domain: 'non-negative' }) + '\n');
  }
}

/** `make` wrapped for the domain. */
export function inDomain(domain: Domain, make: () => Forecaster): () => Forecaster {
  return domain === 'non-negative' ? () => new NonNegative(make()) : make;
}
