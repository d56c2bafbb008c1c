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
import type { FleetForecaster } from './fleet-pool.js';

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
  /** Where the fits run instead of this process's threads (e.g. a queue's workers: @amf-foresight/fleet-queue). */
  forecaster?: FleetForecaster;
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
  /** Worker threads of this process the fits ran on (0 with another forecaster). */
  workers: number;
  /** Where the fits ran when not on this process's threads (FleetOptions.forecaster). */
  forecaster?: string;
  entries: FleetEntry[];
}

interface Job {
  w: Workload;
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
function jobsOf(s: Samples, ws: Workload[], o: FleetOptions, split: number | undefined): Job[] {
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
  const { period, holdout } = checkOptions(o, s.window);
  const split = s.window.end - holdout;
  const stepMs = o.stepMs ?? MIN;
  const forecastStepMs = o.forecastStepMs ?? 5 * MIN;
  const blockSteps = Math.max(1, Math.round(forecastStepMs / stepMs));
  const ws = discoverWorkloads(s.series, {
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.nfs ? { nfs: o.nfs } : {}),
  });
  const jobs = jobsOf(s, ws, o, holdout > 0 ? split : undefined);
  const entries = jobs.map((j) => entryOf(j, blockSteps));
  const model = o.model ?? 'AUTO';
  const horizon = Math.ceil(period / forecastStepMs);
  const work: ForecastJob[] = jobs.map((j) => ({
    ...forecastSeries(j.history, blockSteps),
    model,
    ...(o.params ? { params: o.params } : {}),
    horizon,
    levels: [...RECOMMEND_LEVELS],
  }));
  const workers = o.forecaster ? 0 : Math.min(poolSize(o.workers), jobs.length);
  const forecaster: FleetForecaster = o.forecaster ?? {
    where: `${workers || 'no'} worker threads`,
    forecastAll: (js, p) => forecastAll(js, { ...p, workers }),
  };
  ctx.logger.info(
    `fleet: ${ws.length} workloads, ${jobs.length} series; ${model} on ${forecaster.where}, ` +
      `${horizon} steps of ${forecastStepMs / MIN} min ahead`,
  );
  ctx.progress.start('fleet', jobs.length, 'series');
  const risk = o.risk ?? 0.05;
  const settle = (k: number, out: ForecastOutcome) => {
    const e = entries[k]!;
    if ('failed' in out) {
      e.error = out.failed;
      ctx.logger.warn(`${e.workload} ${e.level} ${e.metric}: ${out.failed.message} [${out.failed.code}]`);
    } else recommend(e, jobs[k]!, out, { risk, blockSteps });
    ctx.progress.advance(1);
  };
  await forecaster.forecastAll(work, {
    signal: ctx.signal,
    onSettled: settle,
    labels: entries.map((e) => `${e.namespace}/${e.workload} ${e.level} ${e.metric}`),
    log: (m) => ctx.logger.info(m),
  });
  const failed = entries.filter((e) => e.error).length;
  ctx.progress.done(`${entries.length - failed} series recommended${failed ? `, ${failed} failed` : ''}`);
  return {
    kind: 'fleet',
    history: { start: s.window.start, end: split },
    period:
      holdout > 0
        ? { start: split, end: s.window.end }
        : { start: s.window.end + stepMs, end: s.window.end + stepMs + period },
    stepMs,
    forecastStepMs,
    model,
    risk,
    ...(holdout > 0 ? { holdout: true } : {}),
    workers,
    ...(o.forecaster ? { forecaster: o.forecaster.where } : {}),
    entries,
  };
}

/** The fleet as a stage: `Samples` in, a `Fleet` out. */
export function fleetStage(o: FleetOptions): Stage<Samples, Fleet> {
  return {
    name: 'fleet',
    run: async (s, ctx) => {
      const f = await runFleet(s, o, ctx);
      ctx.record({
        workloads: [...new Set(f.entries.map((e) => `${e.namespace}/${e.workload}`))].length,
        series: f.entries.length,
        failed: f.entries.filter((e) => e.error).map((e) => `${e.workload} ${e.level} ${e.metric}: ${e.error!.code}`),
        workers: f.workers,
        ...(f.forecaster ? { forecaster: f.forecaster } : {}),
      });
      return f;
    },
  };
}
