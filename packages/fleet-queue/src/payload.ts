import { InputError } from '@amf-foresight/core';
import type { ForecastJob, ForecastOutcome } from '@amf-foresight/orchestrator';

/** The job format's version: a worker refuses (and the queue retries, then fails) one it does not know. */
export const PAYLOAD_VERSION = 1;

/**
 * One series of a fleet as a queue job: the 5-minute series itself (a week is ≈ 2 000 points, ≈ 30 KB
 * of JSON), so a worker needs no access to the data. JSON has no NaN: gaps travel as null.
 */
export interface JobPayload {
  v: typeof PAYLOAD_VERSION;
  /** What the series is, for the workers' logs (namespace/workload level metric). */
  label: string;
  ds: number[];
  y: (number | null)[];
  model: string;
  params?: Record<string, unknown>;
  horizon: number;
  levels: number[];
}

export function toPayload(job: ForecastJob, label: string): JobPayload {
  return {
    v: PAYLOAD_VERSION,
    label,
    ds: Array.from(job.ds),
    y: Array.from(job.y, (v) => (Number.isNaN(v) ? null : v)),
    model: job.model,
    ...(job.params ? { params: job.params } : {}),
    horizon: job.horizon,
    levels: job.levels,
  };
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every(finite);
/** Numbers with gaps (null). */
const gappy = (v: unknown): v is (number | null)[] => Array.isArray(v) && v.every((x) => x === null || finite(x));

/** The job a payload describes; a payload that is not one of ours is refused with what is wrong. */
export function fromPayload(data: unknown): { job: ForecastJob; label: string } {
  const p = data as Partial<JobPayload> | null;
  const bad = (why: string) => new InputError('QUEUE_BAD_JOB', `not a fleet job of version ${PAYLOAD_VERSION}: ${why}`);
  if (typeof p !== 'object' || p === null) throw bad('not an object');
  if (p.v !== PAYLOAD_VERSION) throw bad(`version ${JSON.stringify(p.v)}`);
  if (!numbers(p.ds) || !gappy(p.y) || p.ds.length !== p.y.length) throw bad('ds and y are not series');
  if (typeof p.model !== 'string' || !Number.isInteger(p.horizon) || !numbers(p.levels))
    throw bad('no model or horizon');
  return {
    label: typeof p.label === 'string' ? p.label : '?',
    job: {
      ds: Float64Array.from(p.ds),
      y: Float64Array.from(p.y, (v) => v ?? NaN),
      model: p.model,
      ...(p.params && typeof p.params === 'object' ? { params: p.params } : {}),
      horizon: p.horizon!,
      levels: p.levels,
    },
  };
}

/** A worker's return value as an outcome; anything else (a foreign worker, a corrupted result) fails that series. */
export function toOutcome(value: unknown): ForecastOutcome {
  const v = value as Record<string, unknown> | null;
  if (v && typeof v === 'object') {
    const f = v['failed'] as { code?: unknown; message?: unknown } | undefined;
    if (f && typeof f.code === 'string' && typeof f.message === 'string')
      return { failed: { code: f.code, message: f.message } };
    if (numbers(v['ds']) && numbers(v['mean']) && v['intervals'] && typeof v['intervals'] === 'object')
      return v as unknown as ForecastOutcome;
  }
  return { failed: { code: 'QUEUE_BAD_RESULT', message: 'a worker returned something that is not a forecast' } };
}
