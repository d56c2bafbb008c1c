import { InputError } from '@amf-foresight/core';
import type { FleetEntry, FleetOptions, SourceSpec, WorkloadRef } from '@amf-foresight/orchestrator';

/** The job format's version: a worker refuses (and the queue retries, then fails) one it does not know. */
export const PAYLOAD_VERSION = 2;

/** The sources a worker can read by itself: a path it shares, S3 in place, a Prometheus server. */
export type QueueSource = Extract<SourceSpec, { kind: 'local' | 's3-inplace' | 'prometheus' }>;

/** What of a fleet run's options a worker needs (plain data: it travels as JSON). */
export type WorkloadOptions = Pick<
  FleetOptions,
  | 'levels'
  | 'metrics'
  | 'periodMs'
  | 'holdoutMs'
  | 'model'
  | 'params'
  | 'risk'
  | 'stepMs'
  | 'forecastStepMs'
  | 'rateWindowMs'
>;

/**
 * One workload of a fleet as a queue job: where its samples are and which they are (the source
 * with the workload's selector and the window), and the run's options. A worker reads them itself:
 * no data travels through Redis. Credentials never travel: a worker has its own.
 */
export interface JobPayload {
  v: typeof PAYLOAD_VERSION;
  /** namespace/workload, for the workers' logs. */
  label: string;
  source: QueueSource;
  /** Read this much before the window's start (the rate window). */
  readBefore: number;
  workload: WorkloadRef;
  options: WorkloadOptions;
}

const OPTION_KEYS = [
  'levels',
  'metrics',
  'periodMs',
  'holdoutMs',
  'model',
  'params',
  'risk',
  'stepMs',
  'forecastStepMs',
  'rateWindowMs',
] as const;

/** The options a worker needs, without anything that is not plain data. */
export function workloadOptions(o: FleetOptions): WorkloadOptions {
  return Object.fromEntries(OPTION_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** The S3 client settings that travel (endpoint, region, addressing, retries, timeouts): never credentials. */
const CLIENT_KEYS = ['region', 'endpoint', 'forcePathStyle', 'maxAttempts', 'requestHandler'] as const;

/** A source a worker can be sent: the workload's matchers in place, no local cache paths, no headers. */
export function workerSource(s: SourceSpec, matchers: string): QueueSource {
  switch (s.kind) {
    case 'local':
      return { kind: 'local', dataDir: s.dataDir, start: s.start, end: s.end, matchers };
    case 'prometheus':
      return { kind: 'prometheus', url: s.url, start: s.start, end: s.end, matchers };
    case 's3-inplace': {
      const c = s.clientConfig as Record<string, unknown>;
      return {
        kind: 's3-inplace',
        bucket: s.bucket,
        prefix: s.prefix,
        ...(s.block !== undefined ? { block: s.block } : {}),
        ...(s.concurrency !== undefined ? { concurrency: s.concurrency } : {}),
        clientConfig: Object.fromEntries(CLIENT_KEYS.filter((k) => c[k] !== undefined).map((k) => [k, c[k]])),
        start: s.start,
        end: s.end,
        matchers,
      };
    }
    default:
      throw new InputError('QUEUE_SOURCE', `a queued fleet cannot hand its workers a ${s.kind} source`, {
        hint: 'read where the workers can too: a shared path (--local-path), --source s3://…, --prometheus-url',
      });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const strings = (o: Record<string, unknown>, keys: string[]) => keys.every((k) => typeof o[k] === 'string');
const numbers = (o: Record<string, unknown>, keys: string[]) => keys.every((k) => Number.isFinite(o[k]));

/** The job a payload describes; a payload that is not one of ours is refused with what is wrong. */
export function fromPayload(data: unknown): JobPayload {
  const bad = (why: string) => new InputError('QUEUE_BAD_JOB', `not a fleet job of version ${PAYLOAD_VERSION}: ${why}`);
  if (!isObject(data)) throw bad('not an object');
  if (data['v'] !== PAYLOAD_VERSION) throw bad(`version ${JSON.stringify(data['v'])}`);
  const { source, workload, options } = data;
  if (!isObject(source) || !numbers(source, ['start', 'end']) || typeof source['matchers'] !== 'string')
    throw bad('no source window');
  const kind = source['kind'];
  const where =
    kind === 'local'
      ? strings(source, ['dataDir'])
      : kind === 'prometheus'
        ? strings(source, ['url'])
        : kind === 's3-inplace' && strings(source, ['bucket', 'prefix']) && isObject(source['clientConfig']);
  if (!where) throw bad(`a source of kind ${JSON.stringify(kind)} that is not complete`);
  if (!isObject(workload) || !strings(workload, ['namespace', 'name', 'nf'])) throw bad('no workload');
  if (!isObject(options) || !numbers(data, ['readBefore'])) throw bad('no options');
  return data as unknown as JobPayload;
}

/**
 * A workload's entries as a job's result, in JSON with every number kept: NaN and ±Infinity (gaps in
 * the history, scores of empty periods) travel as {"$n": "NaN"}, which JSON alone would turn into null.
 */
export function encodeResult(entries: FleetEntry[]): string {
  return JSON.stringify(entries, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $n: String(v) } : v,
  );
}

/** A worker's result as a workload's entries; undefined when it is not one (a foreign worker, corruption). */
export function decodeResult(value: unknown): FleetEntry[] | undefined {
  if (typeof value !== 'string') return undefined;
  let entries: unknown;
  try {
    entries = JSON.parse(value, (_k, v: unknown) =>
      isObject(v) && typeof v['$n'] === 'string' && Object.keys(v).length === 1 ? Number(v['$n']) : v,
    );
  } catch {
    return undefined;
  }
  const ok =
    Array.isArray(entries) &&
    entries.every((e) => isObject(e) && strings(e, ['namespace', 'workload', 'nf', 'level', 'metric']));
  return ok ? (entries as FleetEntry[]) : undefined;
}
