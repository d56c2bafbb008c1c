import { sleep } from '@amf-foresight/core';
import {
  AmfError,
  InputError,
  UsageError,
  formatTime,
  redactUrl,
  refuseCredentials,
  silentLogger,
  silentProgress,
} from '@amf-foresight/core';
import type { Logger, RunContext, Samples, Stage } from '@amf-foresight/core';
import type { Table } from 'apache-arrow';
import { checkWindowOrder } from './local.js';
import { compareLabels, compareUtf8 } from '../reader/labels.js';
import type { Labels } from '../reader/labels.js';
import type { QueryResult } from '../reader/query.js';
import { seriesTable, toTables } from '../reader/read-samples.js';
import type { SamplesTables } from '../reader/read-samples.js';

export interface PrometheusApiOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:9090 */
  url: string;
  /** PromQL series selector; all series when absent. */
  matchers?: string;
  /** Window, ms, both ends inclusive. */
  start: number;
  end: number;
  /** Span of one range-vector query; halved when the server refuses a piece as too large. */
  pieceMs?: number;
  /** Per request. */
  timeoutMs?: number;
  attempts?: number;
  /** Extra request headers (e.g. Authorization). Never logged. */
  headers?: Record<string, string>;
}

interface MatrixResult {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * Raw samples of the selected series over a window from a live Prometheus, fetched as
 * range-vector instant queries `selector[Δ]` at successive times (as prometheus-api-client
 * does), into the same Arrow tables as the block reader. Each piece asks for a little more
 * than its span and keeps only its own samples, so it does not matter whether the server's
 * range selection is open or closed on the left. The JSON API does not return staleness
 * markers and carries NaN as "NaN": NaN payload bits do not survive, unlike with the reader.
 */
export async function fetchSamplesFromPrometheus(
  o: PrometheusApiOptions,
  ctx: Partial<RunContext> = {},
): Promise<SamplesTables> {
  const log = ctx.logger ?? silentLogger;
  const base = checkApiOptions(o);
  const selector = o.matchers ?? '{__name__=~".+"}';
  let piece = Math.max(1000, o.pieceMs ?? 3_600_000);
  const series = new Map<string, { labels: Labels; t: number[]; v: number[] }>();
  let from = o.start;
  let queries = 0;
  const progress = ctx.progress ?? silentProgress;
  progress.start('query', o.end - o.start + 1, 'ms of data');
  while (from <= o.end) {
    const to = Math.min(o.end, from + piece - 1);
    const at = to / 1000;
    const q = `${selector}[${to - from + 2}ms]`;
    const res = await query(base, q, at, o, log, ctx.signal);
    queries++;
    if (res === 'too-large') {
      if (piece <= 1000) throw new AmfError('PROM_TOO_LARGE', 'the server refuses even one-second pieces as too large');
      piece = Math.floor(piece / 2);
      log.debug(`piece too large for the server, now ${piece} ms`);
      continue;
    }
    for (const r of res) {
      const labels = Object.keys(r.metric)
        .sort(compareUtf8)
        .flatMap((k) => [k, r.metric[k]!]);
      const key = labels.join('\xff');
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels, t: [], v: [] }));
      for (const [ts, val] of r.values) {
        const t = Math.round(ts * 1000);
        if (t < from || t > to) continue;
        s.t.push(t);
        s.v.push(parseValue(val));
      }
    }
    progress.advance(to + 1 - from);
    from = to + 1;
  }
  progress.done(`${queries} queries`);
  log.debug(`${queries} queries to ${base.origin}`);
  const r = toQueryResult([...series.values()]);
  return { ...toTables(r), stats: r.stats, warnings: [] };
}

/** The window and the server's URL (no credentials in it), checked. */
function checkApiOptions(o: { url: string; start: number; end: number }): URL {
  if (!(o.start <= o.end)) throw new UsageError('BAD_WINDOW', 'the window start is after its end', { flag: '--start' });
  refuseCredentials(o.url, '--prometheus-url');
  try {
    return new URL(o.url);
  } catch {
    throw new UsageError('BAD_URL', `${JSON.stringify(o.url)} is not a URL`, {
      flag: '--prometheus-url',
      hint: 'e.g. http://127.0.0.1:9090',
    });
  }
}

/** The series fetched, in label order, as the reader's query result. */
function toQueryResult(all: { labels: Labels; t: number[]; v: number[] }[]): QueryResult {
  const sorted = all.filter((s) => s.t.length > 0).sort((a, b) => compareLabels(a.labels, b.labels));
  const total = sorted.reduce((a, s) => a + s.t.length, 0);
  const tb = new BigInt64Array(total);
  const vb = new Float64Array(total);
  const offsets = new Uint32Array(sorted.length + 1);
  let w = 0;
  sorted.forEach((s, i) => {
    offsets[i] = w;
    // Pieces arrive in time order and each is sorted: the series is sorted already.
    for (let k = 0; k < s.t.length; k++, w++) {
      tb[w] = BigInt(s.t[k]!);
      vb[w] = s.v[k]!;
    }
  });
  offsets[sorted.length] = w;
  return {
    labels: sorted.map((s) => s.labels),
    offsets,
    t: tb,
    v: vb,
    firstSkipped: new Float64Array(sorted.length).fill(NaN),
    stats: {
      blocksQueried: 0,
      seriesMatched: sorted.length,
      chunksDecoded: 0,
      chunksSkipped: {},
      samplesSkipped: 0,
      samples: w,
      chunkBytesRead: 0,
    },
    warnings: [],
  };
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s); // "NaN" → NaN
}

type ApiBody = { status?: string; error?: string; errorType?: string; data?: unknown };

function query(
  base: URL,
  q: string,
  at: number,
  o: PrometheusApiOptions,
  log: Logger,
  signal?: AbortSignal,
): Promise<MatrixResult[] | 'too-large'> {
  return apiPost(base, '/api/v1/query', { query: q, time: at.toFixed(3) }, `the query ${q}`, o, log, signal, (d) => {
    const m = d as { resultType?: string; result?: MatrixResult[] } | undefined;
    return m?.resultType === 'matrix' ? (m.result ?? []) : undefined;
  });
}

/**
 * A POST to the API, retried on network errors and server failures (not on a refused query): what
 * `accept` makes of a successful answer's data, or 'too-large' when the server says so.
 */
async function apiPost<T>(
  base: URL,
  path: string,
  form: Record<string, string>,
  what: string,
  o: PrometheusApiOptions,
  log: Logger,
  signal: AbortSignal | undefined,
  accept: (data: unknown) => T | undefined,
): Promise<T | 'too-large'> {
  const attempts = o.attempts ?? 4;
  const url = new URL(path, base);
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let body: ApiBody | undefined;
    try {
      const timeout = AbortSignal.timeout(o.timeoutMs ?? 60_000);
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...o.headers },
        body: new URLSearchParams(form),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = r.status;
      body = (await r.json().catch(() => undefined)) as ApiBody | undefined;
    } catch (e) {
      if (signal?.aborted) throw e;
      if (attempt >= attempts)
        throw new AmfError('PROM_UNREACHABLE', `cannot query ${base.origin}: ${(e as Error).message}`, {
          hint: 'check --prometheus-url and that the server is up',
        });
      log.warn(`retrying query to ${base.origin} (attempt ${attempt} of ${attempts}): ${(e as Error).message}`);
      await sleep(Math.min(8000, 250 * 2 ** attempt));
      continue;
    }
    const ok = status === 200 && body?.status === 'success' ? accept(body.data) : undefined;
    if (ok !== undefined) return ok;
    const err = body?.error ?? `HTTP ${status}`;
    if (/too many samples|exceeded maximum resolution|query processing would load too many/i.test(err))
      return 'too-large';
    if (status === 400 || status === 422 || body?.errorType === 'bad_data') {
      throw new InputError('PROM_BAD_QUERY', `the server refused ${what}: ${err}`, {
        hint: 'check the selector (--match)',
      });
    }
    if (status === 401 || status === 403)
      throw new InputError('PROM_ACCESS_DENIED', `the server answered ${status}: ${err}`);
    if (attempt >= attempts) throw new AmfError('PROM_FAILED', `query to ${base.origin} failed: ${err}`);
    log.warn(`retrying query to ${base.origin} (attempt ${attempt} of ${attempts}): ${err}`);
    await sleep(Math.min(8000, 250 * 2 ** attempt));
  }
}

/**
 * The series (labels) of the selector that have samples in the window, from the server's series
 * endpoint (/api/v1/series): what fetchSamplesFromPrometheus would return, without the samples.
 */
export async function fetchSeriesFromPrometheus(
  o: Omit<PrometheusApiOptions, 'pieceMs'>,
  ctx: Partial<RunContext> = {},
): Promise<Table> {
  const log = ctx.logger ?? silentLogger;
  const base = checkApiOptions(o);
  const form = {
    'match[]': o.matchers ?? '{__name__=~".+"}',
    start: (o.start / 1000).toFixed(3),
    end: (o.end / 1000).toFixed(3),
  };
  const found = await apiPost(base, '/api/v1/series', form, `the series ${form['match[]']}`, o, log, ctx.signal, (d) =>
    Array.isArray(d) ? (d as Record<string, string>[]) : undefined,
  );
  if (found === 'too-large') throw new AmfError('PROM_TOO_LARGE', 'the server refuses to list that many series');
  const labels = found.map((m) =>
    Object.keys(m)
      .sort(compareUtf8)
      .flatMap((k) => [k, m[k]!]),
  );
  log.info(`listed ${labels.length} series from ${base.origin}`);
  return seriesTable(labels.sort(compareLabels));
}

/**
 * The Prometheus HTTP API as a source stage: raw samples of the window (from `start − readBefore`,
 * see WindowOptions) into `Samples`.
 */
export function prometheusSource(o: PrometheusApiOptions & { readBefore?: number }): Stage<unknown, Samples> {
  return {
    name: 'process',
    run: async (_input, ctx) => {
      checkWindowOrder(o.start, o.end);
      const readFrom = o.start - (o.readBefore ?? 0);
      const t = await fetchSamplesFromPrometheus({ ...o, start: readFrom }, ctx);
      const source = redactUrl(o.url);
      ctx.logger.info(`read ${t.stats.samples} samples of ${t.stats.seriesMatched} series from ${source}`);
      ctx.record({
        series: t.stats.seriesMatched,
        samples: t.stats.samples,
        window: [formatTime(o.start), formatTime(o.end)],
        readFrom: formatTime(readFrom),
        source,
      });
      return {
        kind: 'samples',
        series: t.series,
        samples: t.samples,
        window: { start: o.start, end: o.end },
        readFrom,
        source,
      };
    },
  };
}
