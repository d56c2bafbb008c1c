import { UsageError, formatTime } from '@amf-foresight/core';
import type { RunContext, Samples, Stage } from '@amf-foresight/core';
import { discoverWorkloads, podUsage, resolveSelection } from '@amf-foresight/features';
import type { PodUsage, UsageRequest, Workload } from '@amf-foresight/features';
import {
  RECOMMEND_LEVELS,
  backtestRecommendations,
  blockMeans,
  deviations,
  krrSimple,
  oursAt,
  oursModel,
  podMean,
  quantileForecast,
  sliceGrid,
  vpaStyle,
} from '@amf-foresight/recommend';
import type { KrrRecommendation, RecommendationBacktest, UsageGrid, VpaRecommendation } from '@amf-foresight/recommend';
import type { ForecastJob, ForecastOutcome, ForecastResult } from './fleet-forecast.js';
import { forecastAll, poolSize } from './fleet-pool.js';

export const FLEET_LEVELS = ['amf', 'support', 'upperlimit'] as const;
export type FleetLevel = (typeof FLEET_LEVELS)[number];
export const FLEET_METRICS = ['cpu', 'memory'] as const;
export type FleetMetric = (typeof FLEET_METRICS)[number];

const MIN = 60_000;
const DAY = 86_400_000;

export interface FleetOptions {
  /** Namespaces, comma-separated, `*` a wildcard (default `openverso`). */
  namespace?: string;
  /** Network functions (default: every `open5gs-*` workload found). */
  nfs?: string[];
  levels?: FleetLevel[];
  metrics?: FleetMetric[];
  /** The period recommended for (default 7 days); with `holdoutMs`, the held-out part instead. */
  periodMs?: number;
  /** Hold out the window's last part: recommend from what came before, score on it (the backtest). */
  holdoutMs?: number;
  /** Default AUTO. */
  model?: string;
  params?: Record<string, unknown>;
  /** Default 0.05 (docs/RECOMMENDATIONS.md). */
  risk?: number;
  /** The usage grid's step (default 1 minute) and the forecast's (default 5 minutes). */
  stepMs?: number;
  forecastStepMs?: number;
  /** rate() window of CPU usage (default 2 minutes). */
  rateWindowMs?: number;
  /** Worker threads (default: the cores, at most 4); 0: in this thread. */
  workers?: number;
  /**
   * With `holdoutMs`: the usage to score the held-out part on, instead of the measured one (a
   * simulator's ground truth); a series it gives none for is scored on what was measured.
   */
  holdoutUsage?: (key: {
    namespace: string;
    workload: string;
    level: FleetLevel;
    metric: FleetMetric;
  }) => UsageGrid | undefined;
}

/** One workload's level and metric: its forecast and the three methods' recommendations. */
export interface FleetEntry {
  namespace: string;
  workload: string;
  nf: string;
  level: FleetLevel;
  metric: FleetMetric;
  unit: 'cores' | 'MiB';
  /** The container a patch sets (the application container's level only). */
  container: string | null;
  pods: string[];
  /** Pods running at the end of the history (a request is per pod: the workload needs this many). */
  replicas: number;
  /** The cgroup's limit at the end of the history, when there is one. */
  currentLimit: number | null;
  /** 5-minute means of the history (per pod), for the report. */
  history: { start: number; stepMs: number; mean: number[] };
  forecast?: ForecastResult;
  ours?: { request: number; limit: number; schedule: { start: number; request: number }[]; expectedPeak: number };
  /** The expected fraction of pod-minutes above the current limit and above our request. */
  risk?: { aboveRequest: number; aboveCurrentLimit: number | null };
  krr?: KrrRecommendation;
  vpa?: VpaRecommendation;
  backtest?: RecommendationBacktest;
  error?: { code: string; message: string };
}

export interface Fleet {
  readonly kind: 'fleet';
  history: { start: number; end: number };
  period: { start: number; end: number };
  stepMs: number;
  forecastStepMs: number;
  model: string;
  risk: number;
  /** Set in a backtest: the period is the held-out part of the window. */
  holdout?: boolean;
  /** Worker threads of this process the fits ran on (0 when a queue's workers ran them). */
  workers: number;
  /** The queue whose workers computed the entries (@amf-foresight/fleet-queue), when one did. */
  queue?: string;
  entries: FleetEntry[];
}

/** What identifies a workload; its pods are found in the samples. */
export type WorkloadRef = Pick<Workload, 'namespace' | 'name' | 'nf'>;

interface Job {
  w: WorkloadRef;
  level: FleetLevel;
  metric: FleetMetric;
  usage: PodUsage;
  history: UsageGrid;
  holdout?: UsageGrid;
}

function checkOptions(o: FleetOptions, window: { start: number; end: number }) {
  // Both ends are grid points: a week from 00:00 to 23:59 at a 1-minute step is a week of data.
  const span = window.end - window.start + (o.stepMs ?? MIN);
  const holdout = o.holdoutMs ?? 0;
  const period = o.holdoutMs ?? o.periodMs ?? 7 * DAY;
  const history = span - holdout;
  if (!(period > 0)) throw new UsageError('BAD_PERIOD', 'the period must be positive', { flag: '--period' });
  if (history < DAY || period > history)
    throw new UsageError(
      'PERIOD_TOO_LONG',
      `a period of ${period / DAY} days needs at least as much history (and a day at least); the window ` +
        `${formatTime(window.start)} to ${formatTime(window.end)} leaves ${(history / DAY).toFixed(2)} days` +
        (holdout > 0 ? ` after holding out ${holdout / DAY} days` : ''),
      { flag: o.holdoutMs !== undefined ? '--backtest' : '--period', hint: 'use a longer window or a shorter period' },
    );
  return { period, holdout };
}

/** The usage grids of every workload × level × metric, in one scan of the samples. */
function jobsOf(s: Samples, ws: readonly WorkloadRef[], o: FleetOptions, split: number | undefined): Job[] {
  const levels = o.levels ?? [...FLEET_LEVELS];
  const metrics = o.metrics ?? [...FLEET_METRICS];
  const keys = ws.flatMap((w) => levels.flatMap((level) => metrics.map((metric) => ({ w, level, metric }))));
  const reqs: UsageRequest[] = keys.map((k) => ({
    namespace: k.w.namespace,
    nf: k.w.nf,
    level: k.level,
    type: k.metric,
  }));
  const grids = podUsage(s, reqs, {
    start: s.window.start,
    end: s.window.end,
    step: o.stepMs ?? MIN,
    rateWindow: o.rateWindowMs ?? 2 * MIN,
  });
  return keys.flatMap((k, i) => {
    const usage = grids[i]!;
    if (usage.pods.length === 0) return []; // this level has no series (e.g. no pause container)
    const n = usage.pods[0]!.values.length;
    const cut = split === undefined ? n : Math.round((split - usage.start) / usage.stepMs);
    const truth =
      cut < n
        ? o.holdoutUsage?.({ namespace: k.w.namespace, workload: k.w.name, level: k.level, metric: k.metric })
        : undefined;
    return [
      {
        ...k,
        usage,
        history: sliceGrid(usage, 0, cut),
        ...(cut < n ? { holdout: truth ?? sliceGrid(usage, cut, n) } : {}),
      },
    ];
  });
}

/** The 5-minute means a model is fitted on, without the empty blocks at either end. */
function forecastSeries(h: UsageGrid, blockSteps: number): { ds: Float64Array; y: Float64Array } {
  const y = blockMeans(podMean(h), blockSteps);
  let [a, b] = [0, y.length];
  while (a < b && Number.isNaN(y[a]!)) a++;
  while (b > a && Number.isNaN(y[b - 1]!)) b--;
  const step = h.stepMs * blockSteps;
  return { ds: Float64Array.from({ length: b - a }, (_, i) => h.start + (a + i) * step), y: y.slice(a, b) };
}

/** Pods with usage in the history's last 10 minutes. */
function runningAtEnd(h: UsageGrid): number {
  const tail = Math.max(1, Math.round(600_000 / h.stepMs));
  return h.pods.filter((p) => p.values.subarray(Math.max(0, p.values.length - tail)).some((v) => !Number.isNaN(v)))
    .length;
}

function entryOf(j: Job, blockSteps: number): FleetEntry {
  const container = j.level === 'amf' ? resolveSelection({ metric: '', level: 'amf', nf: j.w.nf }).container : null;
  const means = blockMeans(podMean(j.history), blockSteps);
  return {
    namespace: j.w.namespace,
    workload: j.w.name,
    nf: j.w.nf,
    level: j.level,
    metric: j.metric,
    unit: j.metric === 'cpu' ? 'cores' : 'MiB',
    container,
    pods: j.usage.pods.map((p) => p.name),
    replicas: runningAtEnd(j.history),
    currentLimit: j.usage.limit,
    history: { start: j.history.start, stepMs: j.history.stepMs * blockSteps, mean: Array.from(means) },
  };
}

/** Ours, KRR and VPA for one entry from its forecast (and the backtest when there is a held-out part). */
function recommend(e: FleetEntry, j: Job, f: ForecastResult, o: { risk: number; blockSteps: number }): void {
  const q = quantileForecast({
    ds: Float64Array.from(f.ds),
    mean: Float64Array.from(f.mean),
    intervals: Object.fromEntries(
      Object.entries(f.intervals).map(([l, b]) => [l, { lo: Float64Array.from(b.lo), hi: Float64Array.from(b.hi) }]),
    ),
  });
  const devs = deviations(j.history, o.blockSteps);
  const m = oursModel(q, devs, { metric: j.metric });
  const r = oursAt(m, o.risk);
  e.forecast = f;
  e.ours = { request: r.request, limit: r.limit, schedule: r.schedule, expectedPeak: r.expectedPeak };
  e.risk = {
    aboveRequest: r.exceedance(r.request),
    aboveCurrentLimit: e.currentLimit === null ? null : r.exceedance(e.currentLimit),
  };
  e.krr = krrSimple(j.history, j.metric);
  e.vpa = vpaStyle(j.history, j.metric);
  if (j.holdout)
    e.backtest = backtestRecommendations({
      metric: j.metric,
      history: j.history,
      holdout: j.holdout,
      forecast: q,
      blockSteps: o.blockSteps,
      risk: o.risk,
    });
}

/** What a run derives from its options and window, once (the options checked). */
interface Setup {
  period: number;
  holdout: number;
  split: number;
  stepMs: number;
  forecastStepMs: number;
  blockSteps: number;
  model: string;
  horizon: number;
  risk: number;
}

function setupOf(o: FleetOptions, window: { start: number; end: number }): Setup {
  const { period, holdout } = checkOptions(o, window);
  const stepMs = o.stepMs ?? MIN;
  const forecastStepMs = o.forecastStepMs ?? 5 * MIN;
  return {
    period,
    holdout,
    split: window.end - holdout,
    stepMs,
    forecastStepMs,
    blockSteps: Math.max(1, Math.round(forecastStepMs / stepMs)),
    model: o.model ?? 'AUTO',
    horizon: Math.ceil(period / forecastStepMs),
    risk: o.risk ?? 0.05,
  };
}

/** The workloads' usage, entries and fit jobs, from samples holding (at least) their series. */
function prepare(s: Samples, ws: readonly WorkloadRef[], o: FleetOptions, u: Setup) {
  const jobs = jobsOf(s, ws, o, u.holdout > 0 ? u.split : undefined);
  const entries = jobs.map((j) => entryOf(j, u.blockSteps));
  const work: ForecastJob[] = jobs.map((j) => ({
    ...forecastSeries(j.history, u.blockSteps),
    model: u.model,
    ...(o.params ? { params: o.params } : {}),
    horizon: u.horizon,
    levels: [...RECOMMEND_LEVELS],
  }));
  return { jobs, entries, work };
}

/** A series' outcome into its entry: the recommendations from its forecast, or its failure. */
function settle(e: FleetEntry, j: Job, out: ForecastOutcome, u: Setup, warn: (m: string) => void): void {
  if ('failed' in out) {
    e.error = out.failed;
    warn(failureLine(e));
  } else recommend(e, j, out, { risk: u.risk, blockSteps: u.blockSteps });
}

function fleetOf(
  u: Setup,
  window: { start: number; end: number },
  entries: FleetEntry[],
  ran: { workers: number; queue?: string },
): Fleet {
  return {
    kind: 'fleet',
    history: { start: window.start, end: u.split },
    period:
      u.holdout > 0
        ? { start: u.split, end: window.end }
        : { start: window.end + u.stepMs, end: window.end + u.stepMs + u.period },
    stepMs: u.stepMs,
    forecastStepMs: u.forecastStepMs,
    model: u.model,
    risk: u.risk,
    ...(u.holdout > 0 ? { holdout: true } : {}),
    workers: ran.workers,
    ...(ran.queue !== undefined ? { queue: ran.queue } : {}),
    entries,
  };
}

/** The workloads of a fleet run in the series (namespaces and network functions of the options), in order. */
export function fleetWorkloads(series: Samples['series'], o: Pick<FleetOptions, 'namespace' | 'nfs'>): Workload[] {
  return discoverWorkloads(series, {
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.nfs ? { nfs: o.nfs } : {}),
  });
}

/**
 * The fleet run (issue 14): every workload × level × metric of the samples, its usage per pod, a
 * forecast of the period on a pool of worker threads, and our recommendation beside KRR-simple's and
 * VPA-style's; with `holdoutMs`, scored on the held-out part. A series that fails is reported in its
 * entry and does not stop the others.
 */
export async function runFleet(
  s: Samples,
  o: FleetOptions,
  ctx: Pick<RunContext, 'logger' | 'progress' | 'signal'>,
): Promise<Fleet> {
  const u = setupOf(o, s.window);
  const ws = fleetWorkloads(s.series, o);
  const { jobs, entries, work } = prepare(s, ws, o, u);
  const workers = Math.min(poolSize(o.workers), jobs.length);
  ctx.logger.info(
    `fleet: ${ws.length} workloads, ${jobs.length} series; ${u.model} on ${workers || 'no'} worker threads, ` +
      `${u.horizon} steps of ${u.forecastStepMs / MIN} min ahead`,
  );
  ctx.progress.start('fleet', jobs.length, 'series');
  await forecastAll(work, {
    workers,
    signal: ctx.signal,
    onSettled: (k, out) => {
      settle(entries[k]!, jobs[k]!, out, u, (m) => ctx.logger.warn(m));
      ctx.progress.advance(1);
    },
  });
  ctx.progress.done(recommendedLine(entries));
  return fleetOf(u, s.window, entries, { workers });
}

/**
 * One workload's entries where its samples are (a queue's worker): its usage from `s` (samples that
 * hold at least its series), each series forecast by `forecast`, the recommendations. Equal to that
 * workload's entries of runFleet over the whole fleet's samples: a workload's usage depends on its
 * own series only.
 */
export async function workloadEntries(
  s: Samples,
  w: WorkloadRef,
  o: FleetOptions,
  forecast: (job: ForecastJob) => Promise<ForecastOutcome>,
  warn: (m: string) => void = () => undefined,
): Promise<FleetEntry[]> {
  const u = setupOf(o, s.window);
  const { jobs, entries, work } = prepare(s, [w], o, u);
  for (const [k, job] of work.entries()) settle(entries[k]!, jobs[k]!, await forecast(job), u, warn);
  return entries;
}

/**
 * The entries a workload would have when its work failed for good (a queue job out of retries):
 * one per level and metric asked for, each carrying the failure.
 */
export function failedEntries(
  w: WorkloadRef,
  o: FleetOptions,
  window: { start: number },
  error: { code: string; message: string },
): FleetEntry[] {
  const stepMs = o.forecastStepMs ?? 5 * MIN;
  return (o.levels ?? [...FLEET_LEVELS]).flatMap((level) =>
    (o.metrics ?? [...FLEET_METRICS]).map((metric) => ({
      namespace: w.namespace,
      workload: w.name,
      nf: w.nf,
      level,
      metric,
      unit: metric === 'cpu' ? ('cores' as const) : ('MiB' as const),
      container: level === 'amf' ? resolveSelection({ metric: '', level: 'amf', nf: w.nf }).container : null,
      pods: [],
      replicas: 0,
      currentLimit: null,
      history: { start: window.start, stepMs, mean: [] },
      error,
    })),
  );
}

/**
 * The selector of one workload's series within a fleet's selector: its namespace and the pods its
 * usage is selected from (names starting with the network function's pod prefix), so that a read of
 * it holds every series the workload's entries use.
 */
export function workloadMatchers(selector: string | undefined, w: WorkloadRef): string {
  const prefix = resolveSelection({ metric: '', level: 'amf', nf: w.nf }).podPrefix;
  const pods = `${prefix.replace(/[.*+?^$()[\]{}|\\]/g, '\\$&')}.*`;
  const own = `namespace=${JSON.stringify(w.namespace)}, pod=~${JSON.stringify(pods)}`;
  const s = (selector ?? '').trim();
  if (!s.endsWith('}')) return `${s}{${own}}`;
  const inner = s.slice(s.indexOf('{') + 1, -1).trim();
  return `${s.slice(0, s.indexOf('{'))}{${inner ? `${inner.replace(/,$/, '')}, ` : ''}${own}}`;
}

/** A fleet from entries computed elsewhere (a queue's workers), for the window and options of the run. */
export function assembleFleet(
  o: FleetOptions,
  window: { start: number; end: number },
  entries: FleetEntry[],
  queue: string,
): Fleet {
  return fleetOf(setupOf(o, window), window, entries, { workers: 0, queue });
}

/** Checks a run's options against its window before any work (PERIOD_TOO_LONG and the like). */
export function checkFleetOptions(o: FleetOptions, window: { start: number; end: number }): void {
  setupOf(o, window);
}

/** The fleet as a stage: `Samples` in, a `Fleet` out. */
export function fleetStage(o: FleetOptions): Stage<Samples, Fleet> {
  return {
    name: 'fleet',
    run: async (s, ctx) => {
      const f = await runFleet(s, o, ctx);
      ctx.record(fleetFacts(f));
      return f;
    },
  };
}

/** What a fleet run records in run.json: its workloads, series, failed series and where the work ran. */
export function fleetFacts(f: Fleet): Record<string, unknown> {
  return {
    workloads: new Set(f.entries.map((e) => `${e.namespace}/${e.workload}`)).size,
    series: f.entries.length,
    failed: f.entries.filter((e) => e.error).map((e) => `${e.workload} ${e.level} ${e.metric}: ${e.error!.code}`),
    workers: f.workers,
    ...(f.queue !== undefined ? { queue: f.queue } : {}),
  };
}

/** A failed entry as the log says it. */
export function failureLine(e: FleetEntry): string {
  return `${e.workload} ${e.level} ${e.metric}: ${e.error?.message} [${e.error?.code}]`;
}

/** The fleet progress's last word: how many series were recommended, and how many failed. */
export function recommendedLine(entries: readonly FleetEntry[]): string {
  const failed = entries.filter((e) => e.error).length;
  return `${entries.length - failed} series recommended${failed ? `, ${failed} failed` : ''}`;
}
