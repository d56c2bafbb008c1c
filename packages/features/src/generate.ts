import { Table } from 'apache-arrow';
import { float64Vector, timestampMsVector, utf8Vector } from '@amf-foresight/core/arrow';
import type { Vector } from 'apache-arrow';
import { FEATURE_UNITS, UsageError, silentLogger, silentProgress } from '@amf-foresight/core';
import type { Dataset, RunContext, Samples, SeriesSummary, Stage } from '@amf-foresight/core';
import { grid, instantOnGrid, pointsById, rateOnGrid } from './promql.js';
import type { SeriesPoints } from './promql.js';
import { levelName, resolveSelection, selectSeries, seriesLabels } from './selection.js';
import type { SelectedSeries, SelectionOptions } from './selection.js';

export type { Dataset, SeriesSummary } from '@amf-foresight/core';

export const FEATURE_TYPES = ['memory', 'cpu', 'utilization', 'raw'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export interface GenerateOptions extends SelectionOptions {
  type: FeatureType;
  /**
   * Grid, ms: start + k·step ≤ end, as query_range evaluates. Default: the samples' window
   * (its start rounded up to the step).
   */
  start?: number;
  end?: number;
  /** Default 1 minute. */
  step?: number;
  /** rate() window, default 5 minutes. */
  rateWindow?: number;
  /** Instant-vector lookback, default 5 minutes (Prometheus's). */
  lookback?: number;
  /** `workload` (default): pods of one workload summed into one series; `pod`: one series per pod. */
  by?: 'workload' | 'pod';
  /** Recorded in the dataset metadata (default: the samples' source). */
  source?: string;
}

/** The samples tables alone (files written by older versions carry no window). */
type SamplesInput = Pick<Samples, 'series' | 'samples'> & Partial<Pick<Samples, 'window' | 'source'>>;

/** How much data before the first grid point the features need: the rate window or the lookback. */
export function readBeforeFor(o: { type: FeatureType; rateWindow?: number; lookback?: number }): number {
  return o.type === 'cpu' || o.type === 'utilization' ? (o.rateWindow ?? 300_000) : (o.lookback ?? 300_000);
}

function checkOptions(o: GenerateOptions, step: number, window: number): void {
  if (!FEATURE_TYPES.includes(o.type))
    throw new UsageError('BAD_TYPE', `unknown type ${JSON.stringify(o.type)}`, {
      flag: '--type',
      hint: `use one of ${FEATURE_TYPES.join(', ')}`,
    });
  if (!(step > 0)) throw new UsageError('BAD_STEP', '--step must be positive', { flag: '--step' });
  if ((o.type === 'cpu' || o.type === 'utilization') && step > window) {
    throw new UsageError(
      'STEP_OVER_WINDOW',
      `--step ${step / 1000}s is larger than --rate-window ${window / 1000}s: samples between windows would be ignored`,
      { flag: '--step', hint: 'use a step no larger than the rate window' },
    );
  }
  if ((o.type === 'cpu' || o.type === 'utilization') && !o.metric.endsWith('_total')) {
    throw new UsageError(
      'NOT_A_COUNTER',
      `--type ${o.type} takes the rate of a counter, and ${o.metric} is not one (counters end in _total)`,
      { flag: '--metric', hint: 'e.g. --metric container_cpu_usage_seconds_total' },
    );
  }
}

/** For utilization: the series ids of the CPU quota and period of each selected series' cgroup. */
function limitSeries(series: Table, selected: SelectedSeries[]): Map<number, { quota?: number; period?: number }> {
  const key = (l: Record<string, string>) => `${l.namespace}|${l.pod}|${l.id ?? ''}`;
  const want = new Map(selected.map((x) => [key(x.labels), x.id]));
  const out = new Map<number, { quota?: number; period?: number }>();
  seriesLabels(series).forEach((l, id) => {
    const target = want.get(key(l));
    if (target === undefined) return;
    const slot = out.get(target) ?? {};
    if (l.__name__ === 'container_spec_cpu_quota') slot.quota = id;
    if (l.__name__ === 'container_spec_cpu_period') slot.period = id;
    out.set(target, slot);
  });
  return out;
}

interface Ctx {
  o: GenerateOptions;
  times: Float64Array;
  window: number;
  points: Map<number, SeriesPoints>;
  limits: Map<number, { quota?: number; period?: number }>;
}

/** One selected series as the feature on the grid. */
function featureValues(c: Ctx, id: number): Float64Array | undefined {
  const p = c.points.get(id);
  if (!p) return undefined;
  const { o, times } = c;
  if (o.type === 'memory') return instantOnGrid(p, times, o.lookback).map((v) => v / 1048576);
  if (o.type === 'raw') return instantOnGrid(p, times, o.lookback);
  const rate = rateOnGrid(p, times, c.window);
  if (o.type === 'cpu') return rate;
  // Utilization: % of the CPU limit (quota / period) where the cgroup has one, else of one core.
  const lim = c.limits.get(id);
  const q = lim?.quota !== undefined ? c.points.get(lim.quota) : undefined;
  const per = lim?.period !== undefined ? c.points.get(lim.period) : undefined;
  const qv = q ? instantOnGrid(q, times, o.lookback) : undefined;
  const pv = per ? instantOnGrid(per, times, o.lookback) : undefined;
  return rate.map((v, k) => (100 * v) / (qv && pv && qv[k]! > 0 && pv[k]! > 0 ? qv[k]! / pv[k]! : 1));
}

/** Points, gaps (missing, longest run) and min/mean/max of one series' values on its grid (NaN = missing). */
export function summarise(uid: string, values: Float64Array, pods: string[]): SeriesSummary {
  let missing = 0;
  let gap = 0;
  let longest = 0;
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  for (const v of values) {
    if (Number.isNaN(v)) {
      missing++;
      longest = Math.max(longest, ++gap);
      continue;
    }
    gap = 0;
    min = Math.min(min, v);
    max = Math.max(max, v);
    total += v;
  }
  const n = values.length - missing;
  return {
    unique_id: uid,
    points: n,
    missing,
    longestGap: longest,
    min: n ? min : NaN,
    mean: n ? total / n : NaN,
    max: n ? max : NaN,
    pods,
  };
}

/** Selected series grouped into dataset series: one per workload (pods summed) or one per pod. */
function groupSeries(
  selected: SelectedSeries[],
  o: GenerateOptions,
): Map<string, { members: SelectedSeries[]; workload: string; level: string; pod?: string }> {
  const s = resolveSelection(o);
  const level = levelName(s.level, s.nf);
  const groups = new Map<string, { members: SelectedSeries[]; workload: string; level: string; pod?: string }>();
  for (const x of selected) {
    const pod = x.labels.pod!;
    const uid = o.by === 'pod' ? `${s.namespace}/${pod}/${level}` : `${s.namespace}/${s.podPrefix}/${level}`;
    let g = groups.get(uid);
    if (!g) groups.set(uid, (g = { members: [], workload: s.podPrefix, level, ...(o.by === 'pod' ? { pod } : {}) }));
    g.members.push(x);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The grid's first and last time: the options', else the samples' window (its start rounded up to the step). */
function gridWindow(input: SamplesInput, o: GenerateOptions, step: number): { start: number; end: number } {
  const start = o.start ?? (input.window ? Math.ceil(input.window.start / step) * step : undefined);
  const end = o.end ?? input.window?.end;
  if (start === undefined || end === undefined)
    throw new UsageError('MISSING_WINDOW', 'the grid needs a start and an end (the samples carry no window)', {
      flag: '--start',
    });
  if (!(start <= end)) throw new UsageError('BAD_WINDOW', 'the grid start is after its end', { flag: '--start' });
  return { start, end };
}

function logSummary(x: SeriesSummary, log: RunContext['logger']): void {
  const range = x.points
    ? `, min ${x.min.toPrecision(4)} mean ${x.mean.toPrecision(4)} max ${x.max.toPrecision(4)}`
    : '';
  log.info(`${x.unique_id}: ${x.points} points, ${x.missing} missing (longest gap ${x.longestGap} steps)${range}`);
}

interface Columns {
  unique_id: string[];
  ds: number[];
  y: (number | null)[];
  namespace: string[];
  workload: string[];
  level: string[];
  pod: string[];
}

/** The dataset table (the `pod` column only per pod), with its metadata in the schema. */
function datasetTable(cols: Columns, byPod: boolean, metadata: Record<string, unknown>): Table {
  const vectors: Record<string, Vector> = {
    unique_id: utf8Vector(cols.unique_id),
    ds: timestampMsVector(cols.ds),
    y: float64Vector(cols.y),
    namespace: utf8Vector(cols.namespace),
    workload: utf8Vector(cols.workload),
    level: utf8Vector(cols.level),
    ...(byPod ? { pod: utf8Vector(cols.pod) } : {}),
  };
  const table = new Table(vectors);
  table.schema.metadata.set('amf_foresight', JSON.stringify(metadata));
  return table;
}

/**
 * Turns samples into the dataset (DESIGN §3): the selected level of one workload, as `memory`
 * (MiB), `cpu` (cores = PromQL rate), `utilization` (% of the CPU limit, else of one core) or
 * `raw`, on the query_range grid; pods of a workload (restarts, replicas) summed.
 */
export function generateDataset(input: SamplesInput, o: GenerateOptions, ctx: Partial<RunContext> = {}): Dataset {
  const log = ctx.logger ?? silentLogger;
  const progress = ctx.progress ?? silentProgress;
  const step = o.step ?? 60_000;
  const window = o.rateWindow ?? 300_000;
  checkOptions(o, step, window);
  const { start, end } = gridWindow(input, o, step);
  const selected = selectSeries(input.series, o);
  const ids = new Set(selected.map((x) => x.id));
  const limits =
    o.type === 'utilization'
      ? limitSeries(input.series, selected)
      : new Map<number, { quota?: number; period?: number }>();
  for (const slot of limits.values()) for (const id of [slot.quota, slot.period]) if (id !== undefined) ids.add(id);
  const c: Ctx = { o, times: grid(start, end, step), window, points: pointsById(input.samples, ids), limits };
  const groups = groupSeries(selected, o);
  const cols: Columns = { unique_id: [], ds: [], y: [], namespace: [], workload: [], level: [], pod: [] };
  const summaries: SeriesSummary[] = [];
  progress.start('generate', selected.length, 'series');
  const s = resolveSelection(o);
  for (const [uid, g] of groups) {
    const sum = new Float64Array(c.times.length).fill(NaN);
    for (const m of g.members) {
      const vals = featureValues(c, m.id);
      progress.advance(1);
      if (vals)
        vals.forEach((v, k) => (Number.isNaN(v) ? undefined : (sum[k] = Number.isNaN(sum[k]!) ? v : sum[k]! + v)));
    }
    c.times.forEach((t, k) => {
      cols.unique_id.push(uid);
      cols.ds.push(t);
      cols.y.push(Number.isNaN(sum[k]!) ? null : sum[k]!);
      cols.namespace.push(s.namespace);
      cols.workload.push(g.workload);
      cols.level.push(g.level);
      cols.pod.push(g.pod ?? '');
    });
    const summary = summarise(uid, sum, [...new Set(g.members.map((m) => m.labels.pod!))].sort());
    summaries.push(summary);
    logSummary(summary, log);
  }
  progress.done(`${summaries.length} series of ${c.times.length} points`);
  const metadata = {
    metric: o.metric,
    level: s.level,
    nf: s.nf,
    type: o.type,
    unit: FEATURE_UNITS[o.type],
    step,
    rate_window: window,
    start,
    end,
    namespace: s.namespace,
    workload: s.podPrefix,
    by: o.by ?? 'workload',
    source: o.source ?? input.source ?? null,
    version: 1,
  };
  const table = datasetTable(cols, o.by === 'pod', metadata);
  return { kind: 'dataset', table, metadata, summary: { rows: table.numRows, start, end, series: summaries } };
}

/** Generate as a stage: `Samples` in, `Dataset` out. */
export function generateStage(o: GenerateOptions): Stage<Samples, Dataset> {
  return {
    name: 'generate',
    run: (input, ctx) => {
      const d = generateDataset(input, o, ctx);
      ctx.record({
        rows: d.summary.rows,
        series: d.summary.series.map((x) => x.unique_id),
        range: [d.summary.start, d.summary.end],
      });
      return Promise.resolve(d);
    },
  };
}
