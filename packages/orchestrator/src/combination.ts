import { join } from 'node:path';
import { NotFittedError, checkHorizon, futureTimes, readManifest, writeManifest } from '@amf-foresight/core';
import type {
  FitOptions,
  Forecast,
  Forecaster,
  PredictOptions,
  RollingForecaster,
  SeriesInput,
} from '@amf-foresight/core';

const mean = (xs: Float64Array[], h: number): Float64Array =>
  Float64Array.from({ length: h }, (_, i) => xs.reduce((s, x) => s + x[i]!, 0) / xs.length);

/**
 * The equal-weight mean of several models' forecasts (the combination that wins most forecasting
 * competitions, e.g. M4's "Comb" benchmark; equal weights because estimated ones rarely beat them).
 * Its own intervals are the members' bounds averaged, a placeholder: `auto` calibrates them
 * (Conformal over rollingMeans). `members` picks the members for the series being fitted.
 */
export class Combination implements RollingForecaster {
  readonly name = 'COMBO';
  private fitted: { members: RollingForecaster[]; stepMs: number; lastDs: number } | undefined;

  constructor(private readonly members: (series: SeriesInput) => RollingForecaster[]) {}

  async fit(series: SeriesInput, options?: FitOptions): Promise<this> {
    const members = this.members(series);
    await Promise.all(members.map((m) => m.fit(series, options)));
    const n = series.ds.length;
    this.fitted = { members, stepMs: series.ds[1]! - series.ds[0]!, lastDs: series.ds[n - 1]! };
    return this;
  }

  /** The member models' names, e.g. ARIMA, THETA and ARIMA again (on the seasonally adjusted series). */
  get memberNames(): string[] {
    return this.fitted?.members.map((m) => m.name) ?? [];
  }

  /** The members as people read them: "ARIMA", "THETA (seasonally adjusted, 288 steps)", …. */
  get memberLabels(): string[] {
    return (this.fitted?.members ?? []).map((m) => {
      const season = (m as { season?: unknown }).season;
      return typeof season === 'number' && season > 0 ? `${m.name} (seasonally adjusted, ${season} steps)` : m.name;
    });
  }

  predict(h: number, options: PredictOptions = {}): Forecast {
    const f = this.fitted;
    if (!f) throw new NotFittedError(this.name);
    checkHorizon(h);
    const fs = f.members.map((m) => m.predict(h, options));
    const intervals: Forecast['intervals'] = {};
    for (const level of Object.keys(fs[0]!.intervals).map(Number))
      intervals[level] = {
        lo: mean(
          fs.map((x) => x.intervals[level]!.lo),
          h,
        ),
        hi: mean(
          fs.map((x) => x.intervals[level]!.hi),
          h,
        ),
      };
    return {
      ds: futureTimes(f.lastDs, f.stepMs, h),
      mean: mean(
        fs.map((x) => x.mean),
        h,
      ),
      intervals,
    };
  }

  rollingMeans(origins: readonly number[], h: number): Float64Array[] {
    const f = this.fitted;
    if (!f) throw new NotFittedError(this.name);
    const per = f.members.map((m) => m.rollingMeans(origins, h));
    return origins.map((_, k) =>
      mean(
        per.map((p) => p[k]!),
        h,
      ),
    );
  }

  /** Each member in member-<i>/ (its own manifest), and this model's manifest listing them. */
  save(dir: string): void {
    const f = this.fitted;
    if (!f) throw new NotFittedError(this.name);
    f.members.forEach((m, i) => m.save(join(dir, `member-${i}`)));
    writeManifest(dir, {
      model: this.name,
      params: {},
      libraries: {},
      stepMs: f.stepMs,
      lastDs: f.lastDs,
      payload: { members: f.members.map((m) => m.name) },
    });
  }

  /** A saved combination, each member loaded by `loadMember` (the registry's loadModel). */
  static async load(dir: string, loadMember: (dir: string) => Promise<Forecaster>): Promise<Combination> {
    const m = readManifest(dir, 'COMBO');
    const names = (m.payload as { members: string[] }).members;
    const members = (await Promise.all(
      names.map((_, i) => loadMember(join(dir, `member-${i}`))),
    )) as RollingForecaster[];
    const model = new Combination(() => members);
    model.fitted = { members, stepMs: m.stepMs, lastDs: m.lastDs };
    return model;
  }
}
