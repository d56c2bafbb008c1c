import type { Forecast } from '@amf-foresight/core';
import type { SeriesToWrite } from '@amf-foresight/tsdb-ingest/writer';
import type { Fleet, FleetEntry } from './fleet.js';
import type { Trained } from './train.js';

/**
 * Forecasts and recommendations as Prometheus series (docs/EXPORT.md). Values are in base units —
 * cores, bytes — as Prometheus's naming rules ask, so they sit beside container_cpu_usage_seconds_total
 * and container_memory_working_set_bytes in one panel.
 */
export const FORECAST_METRIC = 'amf_foresight_forecast';
export const RECOMMENDATION_METRIC = 'amf_foresight_recommendation';

const MIB = 1_048_576;

/** Base unit and factor of a forecast's unit (MiB → bytes; cores and % stay). */
function baseUnit(unit: string): { unit: string; factor: number } {
  if (unit === 'MiB') return { unit: 'bytes', factor: MIB };
  if (unit === 'cores') return { unit: 'cores', factor: 1 };
  if (unit.startsWith('%')) return { unit: 'percent', factor: 1 };
  return { unit: unit === '' ? 'raw' : unit.replace(/[^a-zA-Z0-9_]/g, '_'), factor: 1 };
}

/** The quantile an interval bound is: the lower bound of 80 % is 0.1, its upper 0.9. */
export function boundQuantile(level: number, side: 'lo' | 'hi'): string {
  const q = side === 'lo' ? (1 - level / 100) / 2 : (1 + level / 100) / 2;
  return String(Math.round(q * 10_000) / 10_000);
}

/** quantile="0.5" is the point forecast (the model's mean, the centre of its intervals); then each bound. */
export function quantileSeries(labels: Record<string, string>, f: Forecast, factor: number): SeriesToWrite[] {
  const scaled = (v: Float64Array) => Float64Array.from(v, (x) => x * factor);
  const out: SeriesToWrite[] = [{ labels: { ...labels, quantile: '0.5' }, timestamps: f.ds, values: scaled(f.mean) }];
  for (const [level, b] of Object.entries(f.intervals)) {
    out.push({
      labels: { ...labels, quantile: boundQuantile(Number(level), 'lo') },
      timestamps: f.ds,
      values: scaled(b.lo),
    });
    out.push({
      labels: { ...labels, quantile: boundQuantile(Number(level), 'hi') },
      timestamps: f.ds,
      values: scaled(b.hi),
    });
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A train run's forecast: labels from its dataset (namespace, workload, nf, level, metric type) and model. */
export function trainedSeries(t: Trained): SeriesToWrite[] {
  const m = t.metadata ?? {};
  const { unit, factor } = baseUnit(t.unit);
  const labels = {
    __name__: FORECAST_METRIC,
    namespace: str(m['namespace']),
    workload: str(m['workload']),
    nf: str(m['nf']),
    level: str(m['level']),
    metric: str(m['type']),
    series: t.seriesId,
    model: t.metrics.model,
    unit,
  };
  return quantileSeries(labels, t.forecast, factor);
}

function entryLabels(e: FleetEntry, model: string): Record<string, string> {
  return {
    namespace: e.namespace,
    workload: e.workload,
    nf: e.nf,
    level: e.level,
    container: e.container ?? '',
    metric: e.metric,
    model,
    unit: e.metric === 'memory' ? 'bytes' : 'cores',
  };
}

/** One recommendation value over the period, a sample every step (a value at a time for the schedule). */
function constant(
  labels: Record<string, string>,
  ds: Float64Array,
  value: number | null | undefined,
  factor: number,
): SeriesToWrite[] {
  if (typeof value !== 'number' || !Number.isFinite(value)) return [];
  return [{ labels, timestamps: ds, values: new Float64Array(ds.length).fill(value * factor) }];
}

function scheduleValues(ds: Float64Array, schedule: { start: number; request: number }[], factor: number) {
  const v = new Float64Array(ds.length);
  let k = 0;
  for (let i = 0; i < ds.length; i++) {
    while (k + 1 < schedule.length && schedule[k + 1]!.start <= ds[i]!) k++;
    v[i] = schedule[k]!.request * factor;
  }
  return v;
}

/** Every recommendation of an entry: ours (request, limit, expected peak, hourly), KRR's, VPA's, the current limit. */
function recommendationSeries(e: FleetEntry, model: string, ds: Float64Array): SeriesToWrite[] {
  const factor = e.metric === 'memory' ? MIB : 1;
  const base = { __name__: RECOMMENDATION_METRIC, ...entryLabels(e, model) };
  const at = (method: string, kind: string) => ({ ...base, method, kind });
  const out: SeriesToWrite[] = [...constant(at('current', 'limit'), ds, e.currentLimit, factor)];
  if (e.ours) {
    out.push(...constant(at('ours', 'request'), ds, e.ours.request, factor));
    out.push(...constant(at('ours', 'limit'), ds, e.ours.limit, factor));
    out.push(...constant(at('ours', 'expected_peak'), ds, e.ours.expectedPeak, factor));
    if (e.ours.schedule.length > 0)
      out.push({
        labels: at('ours', 'hourly_request'),
        timestamps: ds,
        values: scheduleValues(ds, e.ours.schedule, factor),
      });
  }
  if (e.krr) {
    out.push(...constant(at('krr-simple', 'request'), ds, e.krr.request, factor));
    out.push(...constant(at('krr-simple', 'limit'), ds, e.krr.limit, factor));
  }
  if (e.vpa) {
    out.push(...constant(at('vpa-style', 'request'), ds, e.vpa.request, factor));
    out.push(...constant(at('vpa-style', 'limit'), ds, e.vpa.limit, factor));
  }
  return out;
}

/** A fleet run: every forecast with its quantiles, and every recommendation, over the period. */
export function fleetSeries(f: Fleet): SeriesToWrite[] {
  const out: SeriesToWrite[] = [];
  for (const e of f.entries) {
    if (!e.forecast) continue;
    const ds = Float64Array.from(e.forecast.ds);
    const forecast: Forecast = {
      ds,
      mean: Float64Array.from(e.forecast.mean),
      intervals: Object.fromEntries(
        Object.entries(e.forecast.intervals).map(([l, b]) => [
          l,
          { lo: Float64Array.from(b.lo), hi: Float64Array.from(b.hi) },
        ]),
      ),
    };
    const factor = e.metric === 'memory' ? MIB : 1;
    out.push(...quantileSeries({ __name__: FORECAST_METRIC, ...entryLabels(e, f.model) }, forecast, factor));
    out.push(...recommendationSeries(e, f.model, ds));
  }
  return out;
}
