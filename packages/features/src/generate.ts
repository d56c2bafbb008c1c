import { Float64, Table, TimestampMillisecond, Utf8, makeVector, vectorFromArray } from 'apache-arrow';
import { UsageError, silentLogger } from '@amf-foresight/core';
import type { RunContext, Stage } from '@amf-foresight/core';
import { grid, instantOnGrid, rateOnGrid, seriesPoints } from './promql.js';
import type { SeriesPoints } from './promql.js';
import { resolveSelection, selectSeries, seriesLabels } from './selection.js';
import type { SelectedSeries, SelectionOptions } from './selection.js';

export const FEATURE_TYPES = ['memory', 'cpu', 'utilization', 'raw'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export interface GenerateOptions extends SelectionOptions {
  type: FeatureType;
  /** Grid, ms: start + k·step ≤ end, as query_range evaluates. */
  start: number;
  end: number;
  /** Default 1 minute. */
  step?: number;
  /** rate() window, default 5 minutes. */
  rateWindow?: number;
  /** Instant-vector lookback, default 5 minutes (Prometheus's). */
  lookback?: number;
  /** `workload` (default): pods of one workload summed into one series; `pod`: one series per pod. */
  by?: 'workload' | 'pod';
  /** Recorded in the dataset metadata. */
  source?: string;
}

export interface SeriesSummary {
  unique_id: string;
  points: number;
  missing: number;
  /** Longest run of missing grid points. */
  longestGap: number;
  min: number;
  mean: number;
  max: number;
  pods: string[];
}

export interface Dataset {
  /** unique_id, ds (timestamp ms), y (null where missing), namespace, workload, level, [pod]. */
  table: Table;
  metadata: Record<string, unknown>;
  summary: { rows: number; start: number; end: number; series: SeriesSummary[] };
}

interface Samples {
  series: Table;
  samples: Table;
}

function pointsById(samples: Table, ids: Set<number>): Map<number, SeriesPoints> {
  const sid = samples.getChild('series_id')!.toArray() as Uint32Array;
  const t = samples.getChild('t')!.toArray() as BigInt64Array;
  const v = samples.getChild('v')!.toArray() as Float64Array;
  const out = new Map<number, SeriesPoints>();
  let i = 0;
  while (i < sid.length) {
    const id = sid[i]!;
    let j = i;
    while (j < sid.length && sid[j] === id) j++;
    if (ids.has(id)) out.set(id, seriesPoints(t.subarray(i, j), v.slice(i, j)));
    i = j;
  }
  return out;
}

/**
 * Turns samples tables into the dataset (DESIGN §3): the selected level of one workload, as
 * `memory` (MiB), `cpu` (cores = PromQL rate), `utilization` (% of the CPU limit, else of one
 * core) or `raw`, on the query_range grid; pods of a workload (restarts, replicas) summed.
 */
export function generateDataset(input: Samples, o: GenerateOptions, ctx: Partial<RunContext> = {}): Dataset {
  const log = ctx.logger ?? silentLogger;
  if (!FEATURE_TYPES.includes(o.type)) throw new UsageError('BAD_TYPE', `unknown type ${JSON.stringify(o.type)}`, { flag: '--type', hint: `use one of ${FEATURE_TYPES.join(', ')}` });
  const step = o.step ?? 60_000;
  const window = o.rateWindow ?? 300_000;
  if (!(step > 0)) throw new UsageError('BAD_STEP', '--step must be positive', { flag: '--step' });
  if ((o.type === 'cpu' || o.type === 'utilization') && step > window) {
    throw new UsageError('STEP_OVER_WINDOW', `--step ${step / 1000}s is larger than --rate-window ${window / 1000}s: samples between windows would be ignored`, { flag: '--step', hint: 'use a step no larger than the rate window' });
  }
  if ((o.type === 'cpu' || o.type === 'utilization') && !o.metric.endsWith('_total')) {
    throw new UsageError('NOT_A_COUNTER', `--type ${o.type} takes the rate of a counter, and ${o.metric} is not one (counters end in _total)`, { flag: '--metric', hint: 'e.g. --metric container_cpu_usage_seconds_total' });
  }
  const s = resolveSelection(o);
  const selected = selectSeries(input.series, o);
  const times = grid(o.start, o.end, step);
  const allLabels = seriesLabels(input.series);
  const ids = new Set(selected.map((x) => x.id));
  // Utilization needs the CPU limit of the same cgroup: quota / period.
  const limitIds = new Map<number, { quota?: number; period?: number }>();
  if (o.type === 'utilization') {
    const key = (l: Record<string, string>) => `${l.namespace}|${l.pod}|${l.id ?? ''}`;
    const want = new Map(selected.map((x) => [key(x.labels), x.id]));
    allLabels.forEach((l, id) => {
      const target = want.get(key(l));
      if (target === undefined) return;
      const slot = limitIds.get(target) ?? {};
      if (l.__name__ === 'container_spec_cpu_quota') slot.quota = id;
      if (l.__name__ === 'container_spec_cpu_period') slot.period = id;
      limitIds.set(target, slot);
    });
    for (const slot of limitIds.values()) for (const id of [slot.quota, slot.period]) if (id !== undefined) ids.add(id);
  }
  const points = pointsById(input.samples, ids);

  const groups = new Map<string, { members: SelectedSeries[]; workload: string; pod?: string }>();
  for (const x of selected) {
    const pod = x.labels.pod!;
    const uid = o.by === 'pod' ? `${s.namespace}/${pod}/${s.level}` : `${s.namespace}/${s.podPrefix}/${s.level}`;
    let g = groups.get(uid);
    if (!g) groups.set(uid, (g = { members: [], workload: s.podPrefix, ...(o.by === 'pod' ? { pod } : {}) }));
    g.members.push(x);
  }

  const cols = { unique_id: [] as string[], ds: [] as number[], y: [] as (number | null)[], namespace: [] as string[], workload: [] as string[], level: [] as string[], pod: [] as string[] };
  const summaries: SeriesSummary[] = [];
  for (const [uid, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sum = new Float64Array(times.length).fill(NaN);
    for (const m of g.members) {
      const p = points.get(m.id);
      if (!p) continue;
      let vals: Float64Array;
      if (o.type === 'cpu' || o.type === 'utilization') vals = rateOnGrid(p, times, window);
      else if (o.type === 'memory') vals = instantOnGrid(p, times, o.lookback).map((v) => v / 1048576);
      else vals = instantOnGrid(p, times, o.lookback);
      if (o.type === 'utilization') {
        const lim = limitIds.get(m.id);
        const q = lim?.quota !== undefined ? points.get(lim.quota) : undefined;
        const per = lim?.period !== undefined ? points.get(lim.period) : undefined;
        const qv = q ? instantOnGrid(q, times, o.lookback) : undefined;
        const pv = per ? instantOnGrid(per, times, o.lookback) : undefined;
        vals = vals.map((v, k) => {
          const cores = qv && pv && qv[k]! > 0 && pv[k]! > 0 ? qv[k]! / pv[k]! : 1;
          return (100 * v) / cores;
        });
      }
      for (let k = 0; k < times.length; k++) {
        const v = vals[k]!;
        if (Number.isNaN(v)) continue;
        sum[k] = Number.isNaN(sum[k]!) ? v : sum[k]! + v;
      }
    }
    let missing = 0;
    let gap = 0;
    let longest = 0;
    let min = Infinity;
    let max = -Infinity;
    let total = 0;
    for (let k = 0; k < times.length; k++) {
      const v = sum[k]!;
      cols.unique_id.push(uid);
      cols.ds.push(times[k]!);
      cols.namespace.push(s.namespace);
      cols.workload.push(g.workload);
      cols.level.push(s.level);
      cols.pod.push(g.pod ?? '');
      if (Number.isNaN(v)) {
        cols.y.push(null);
        missing++;
        gap++;
        longest = Math.max(longest, gap);
      } else {
        cols.y.push(v);
        gap = 0;
        min = Math.min(min, v);
        max = Math.max(max, v);
        total += v;
      }
    }
    const n = times.length - missing;
    summaries.push({ unique_id: uid, points: n, missing, longestGap: longest, min: n ? min : NaN, mean: n ? total / n : NaN, max: n ? max : NaN, pods: [...new Set(g.members.map((m) => m.labels.pod!))].sort() });
    log.info(`${uid}: ${n} points, ${missing} missing (longest gap ${longest} steps)${n ? `, min ${min.toPrecision(4)} mean ${(total / n).toPrecision(4)} max ${max.toPrecision(4)}` : ''}`);
  }
  const metadata = { metric: o.metric, level: s.level, type: o.type, step, rate_window: window, start: o.start, end: o.end, namespace: s.namespace, workload: s.podPrefix, by: o.by ?? 'workload', source: o.source ?? null, version: 1 };
  const vectors: Record<string, ReturnType<typeof makeVector>> = {
    unique_id: vectorFromArray(cols.unique_id, new Utf8()),
    ds: vectorFromArray(cols.ds, new TimestampMillisecond('UTC')),
    y: vectorFromArray(cols.y, new Float64()),
    namespace: vectorFromArray(cols.namespace, new Utf8()),
    workload: vectorFromArray(cols.workload, new Utf8()),
    level: vectorFromArray(cols.level, new Utf8()),
    ...(o.by === 'pod' ? { pod: vectorFromArray(cols.pod, new Utf8()) } : {}),
  };
  const table = new Table(vectors);
  table.schema.metadata.set('amf_foresight', JSON.stringify(metadata));
  return { table, metadata, summary: { rows: table.numRows, start: o.start, end: o.end, series: summaries } };
}

export function generateStage(o: GenerateOptions): Stage<Samples, Dataset> {
  return { name: 'generate', run: async (input, ctx) => generateDataset(input, o, ctx) };
}
