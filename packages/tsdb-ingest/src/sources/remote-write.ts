import { sleep } from '@amf-foresight/core';
import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';
import { AmfError, InputError } from '@amf-foresight/core';
import { compareUtf8 } from '../reader/labels.js';

/** A series to send: float samples at increasing ms timestamps (a Float64Array keeps NaN payloads). */
export interface RemoteSeries {
  labels: Readonly<Record<string, string>>;
  timestamps: ArrayLike<number>;
  values: Float64Array | ArrayLike<number>;
}

export interface RemoteWriteOptions {
  /** The receiver, e.g. http://prometheus:9090/api/v1/write. */
  url: string;
  /** Samples per request at most (default 2000). */
  batchSamples?: number;
  /** Attempts of one request on 5xx, 429 or a network error (default 6). */
  maxAttempts?: number;
  /** Backoff: doubles from `minBackoffMs` (default 30) up to `maxBackoffMs` (default 5000), as Prometheus's queue. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called before each retry: the status (0 for a network error) and the wait. */
  onRetry?: (status: number, waitMs: number) => void;
}

export interface RemoteWriteResult {
  requests: number;
  samples: number;
  retries: number;
}

const Writer = protobuf.Writer;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Labels as the protocol wants them: sorted by name, empty values left out. */
function sortedLabels(l: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(l)
    .filter(([, v]) => v !== '')
    .sort((a, b) => compareUtf8(a[0], b[0]));
}

/**
 * A remote-write 1.0 `WriteRequest` (prometheus/prompb: timeseries = 1 { labels = 1 {name = 1,
 * value = 2}, samples = 2 {value = 1 double, timestamp = 2 int64} }) of samples [from, to) of each
 * part. Values are written as their 8 bytes, so the staleness marker's bits arrive as they are.
 */
export function encodeWriteRequest(parts: readonly { s: RemoteSeries; from: number; to: number }[]): Uint8Array {
  const w = Writer.create();
  for (const { s, from, to } of parts) {
    w.uint32(0x0a).fork();
    for (const [name, value] of sortedLabels(s.labels))
      w.uint32(0x0a).fork().uint32(0x0a).string(name).uint32(0x12).string(value).ldelim();
    const v = s.values;
    const bits = v instanceof Float64Array ? new Uint32Array(v.buffer, v.byteOffset, v.length * 2) : undefined;
    for (let i = from; i < to; i++) {
      w.uint32(0x12).fork().uint32(0x09);
      if (bits) w.fixed32(bits[2 * i]!).fixed32(bits[2 * i + 1]!);
      else {
        f64[0] = v[i]!;
        w.fixed32(u32[0]!).fixed32(u32[1]!);
      }
      w.uint32(0x10).int64(s.timestamps[i]!).ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

/** Requests of at most `batch` samples; a long series is split across requests in time order. */
export function batches(
  series: readonly RemoteSeries[],
  batch: number,
): { s: RemoteSeries; from: number; to: number }[][] {
  const out: { s: RemoteSeries; from: number; to: number }[][] = [];
  let cur: { s: RemoteSeries; from: number; to: number }[] = [];
  let n = 0;
  for (const s of series) {
    for (let from = 0; from < s.timestamps.length;) {
      const to = Math.min(s.timestamps.length, from + (batch - n));
      cur.push({ s, from, to });
      n += to - from;
      from = to;
      if (n === batch) {
        out.push(cur);
        cur = [];
        n = 0;
      }
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The first line of a response body, short, for an error message. */
async function reason(r: Response): Promise<string> {
  const text = (await r.text().catch(() => '')).trim().split('\n')[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** One request: retried on 5xx, 429 and network errors with backoff; a 4xx is final. */
async function send(body: Uint8Array, o: RemoteWriteOptions, stats: RemoteWriteResult): Promise<void> {
  const attempts = o.maxAttempts ?? 6;
  let wait = o.minBackoffMs ?? 30;
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    let status = 0;
    let why = '';
    let retryAfter: number | undefined;
    try {
      const r = await fetch(o.url, {
        method: 'POST',
        body,
        headers: {
          'Content-Encoding': 'snappy',
          'Content-Type': 'application/x-protobuf',
          'User-Agent': 'amf-foresight',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
        },
        signal: o.signal
          ? AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? 30_000)])
          : AbortSignal.timeout(o.timeoutMs ?? 30_000),
      });
      if (r.ok) {
        await r.body?.cancel();
        return;
      }
      status = r.status;
      why = await reason(r);
      if (status < 500 && status !== 429)
        throw new InputError('REMOTE_WRITE_REJECTED', `remote write to ${o.url} was refused: HTTP ${status} ${why}`, {
          hint: 'the server read the request and refused it: retrying would not help (not retried)',
        });
      const ra = Number(r.headers.get('retry-after'));
      if (status === 429 && Number.isFinite(ra) && ra > 0) retryAfter = ra * 1000;
    } catch (e) {
      if (e instanceof AmfError || o.signal?.aborted) throw e;
      why = (e as Error).message;
    }
    if (attempt >= attempts)
      throw new AmfError(
        'REMOTE_WRITE_FAILED',
        `remote write to ${o.url} failed after ${attempt} attempts: ${status ? `HTTP ${status} ` : ''}${why}`,
        {
          hint: 'the server or the network kept failing; the run is kept, write again later',
        },
      );
    const delay = Math.min(retryAfter ?? wait, o.maxBackoffMs ?? 5000);
    stats.retries++;
    o.onRetry?.(status, delay);
    await sleep(delay, o.signal);
    wait = Math.min(wait * 2, o.maxBackoffMs ?? 5000);
  }
}

/**
 * Sends `series` to a Prometheus remote-write receiver (protocol 1.0: protobuf WriteRequest,
 * snappy block format, the required headers), in batches, one request at a time so samples of a
 * series arrive in time order.
 */
export async function remoteWrite(series: readonly RemoteSeries[], o: RemoteWriteOptions): Promise<RemoteWriteResult> {
  const stats: RemoteWriteResult = { requests: 0, samples: 0, retries: 0 };
  const batch = o.batchSamples ?? 2000;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batchSamples ${batch} is not a whole number ≥ 1`);
  for (const parts of batches(series, batch)) {
    await send(snappy.compress(encodeWriteRequest(parts)), o, stats);
    stats.requests++;
    stats.samples += parts.reduce((a, p) => a + p.to - p.from, 0);
  }
  return stats;
}
