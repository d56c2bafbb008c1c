import { krrSimple } from './krr.js';
import { oursAt, oursModel } from './ours.js';
import type { QuantileForecast } from './ours.js';
import { constantRequest, scheduledRequest, score, slackWithin, violationsWithin } from './score.js';
import type { Score, SweepPoint } from './score.js';
import { deviations } from './usage.js';
import type { UsageGrid } from './usage.js';
import { vpaStyle } from './vpa.js';

export const METHODS = ['ours', 'ours-schedule', 'krr-simple', 'vpa-style'] as const;
export type Method = (typeof METHODS)[number];

/** The knobs swept for matched risk (docs/RECOMMENDATIONS.md). */
export const SWEEPS = {
  risk: [0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001],
  krrCpuPercentile: [50, 70, 80, 90, 95, 98, 99, 99.5, 99.9, 100],
  krrMemoryBuffer: [0, 5, 10, 15, 20, 30, 50],
  vpaTargetPercentile: [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1],
} as const;

export interface MethodResult {
  method: Method;
  /** The defaults' request and limit (the schedule's mean request for ours-schedule). */
  request: number | null;
  limit: number | null;
  score: Score;
  /** CPU: the fraction of pod-steps above the request; memory: pod-steps above the limit. */
  violation: number;
  sweep: SweepPoint[];
}

export interface GoalCheck {
  /** ours' defaults against the better baseline's. */
  atDefaults: { violation: number; slack: number };
  /** The least slack of ours' settings with no more violations than the better baseline. */
  slackAtEqualViolation: number;
  /** 1 − that slack / the baseline's: the goal is ≥ 0.2. */
  slackReduction: number;
  /** The fewest violations of ours' settings with no more slack than the better baseline. */
  violationsAtEqualSlack: number;
  reached: boolean;
}

export interface RecommendationBacktest {
  metric: 'cpu' | 'memory';
  methods: MethodResult[];
  /** The baseline with fewer violations at its defaults (then less slack). */
  better: 'krr-simple' | 'vpa-style';
  goal: { ours: GoalCheck; 'ours-schedule': GoalCheck };
}

export interface BacktestInput {
  metric: 'cpu' | 'memory';
  /** Usage before the held-out part, and in it, on the same grid step. */
  history: UsageGrid;
  holdout: UsageGrid;
  /** The forecast of the held-out part's block means, made from the history alone. */
  forecast: QuantileForecast;
  /** Grid steps per forecast block (5 for 5-minute blocks of a 1-minute grid). */
  blockSteps: number;
  /** Default 0.05. */
  risk?: number;
}

const violationOf = (metric: 'cpu' | 'memory', s: Score) => (metric === 'cpu' ? s.aboveRequest : s.overLimit);

function result(
  i: BacktestInput,
  method: Method,
  rec: { request: number | null; limit: number | null; at?: (t: number) => number | null },
  sweep: SweepPoint[],
): MethodResult {
  const s = score(i.holdout, rec.at ?? constantRequest(rec.request), rec.limit);
  return { method, request: rec.request, limit: rec.limit, score: s, violation: violationOf(i.metric, s), sweep };
}

function point(i: BacktestInput, knob: number, at: (t: number) => number | null, limit: number | null): SweepPoint {
  const s = score(i.holdout, at, limit);
  return { knob, violation: violationOf(i.metric, s), slack: s.meanSlack };
}

function oursResults(i: BacktestInput): [MethodResult, MethodResult] {
  const m = oursModel(i.forecast, deviations(i.history, i.blockSteps), { metric: i.metric });
  const risk = i.risk ?? 0.05;
  const at = (r: number) => oursAt(m, r);
  const constant = SWEEPS.risk.map((r) => point(i, r, constantRequest(at(r).request), at(r).limit));
  const sched = SWEEPS.risk.map((r) => point(i, r, scheduledRequest(at(r).schedule), at(r).limit));
  const d = at(risk);
  const mean = d.schedule.reduce((a, s) => a + s.request, 0) / Math.max(1, d.schedule.length);
  return [
    result(i, 'ours', d, constant),
    result(i, 'ours-schedule', { request: mean, limit: d.limit, at: scheduledRequest(d.schedule) }, sched),
  ];
}

function baselineResults(i: BacktestInput): [MethodResult, MethodResult] {
  const krr = (k: number) =>
    i.metric === 'cpu'
      ? krrSimple(i.history, 'cpu', { cpuPercentile: k })
      : krrSimple(i.history, 'memory', { memoryBufferPercentage: k });
  const krrKnobs = i.metric === 'cpu' ? SWEEPS.krrCpuPercentile : SWEEPS.krrMemoryBuffer;
  const krrSweep = krrKnobs.map((k) => point(i, k, constantRequest(krr(k).request), krr(k).limit));
  const vpa = (k: number) => vpaStyle(i.history, i.metric, { targetPercentile: k });
  const vpaSweep = SWEEPS.vpaTargetPercentile.map((k) => point(i, k, constantRequest(vpa(k).request), vpa(k).limit));
  return [
    result(i, 'krr-simple', krr(i.metric === 'cpu' ? 95 : 15), krrSweep),
    result(i, 'vpa-style', vpa(0.9), vpaSweep),
  ];
}

function check(ours: MethodResult, base: MethodResult): GoalCheck {
  const slackAtEqualViolation = slackWithin(ours.sweep, base.violation);
  const violationsAtEqualSlack = violationsWithin(ours.sweep, base.score.meanSlack);
  const slackReduction = 1 - slackAtEqualViolation / base.score.meanSlack;
  const halfTheViolations =
    Number.isFinite(violationsAtEqualSlack) && violationsAtEqualSlack <= 0.5 * base.violation && base.violation > 0;
  return {
    atDefaults: { violation: ours.violation, slack: ours.score.meanSlack },
    slackAtEqualViolation,
    slackReduction,
    violationsAtEqualSlack,
    reached: (Number.isFinite(slackReduction) && slackReduction >= 0.2) || halfTheViolations,
  };
}

/** The backtest that decides (docs/RECOMMENDATIONS.md): the four methods on the held-out usage. */
export function backtestRecommendations(i: BacktestInput): RecommendationBacktest {
  const [ours, schedule] = oursResults(i);
  const [krr, vpa] = baselineResults(i);
  const defined = [krr, vpa].filter((m) => Number.isFinite(m.score.meanSlack));
  const better = (defined.length > 0 ? defined : [krr, vpa]).sort(
    (a, b) => a.violation - b.violation || a.score.meanSlack - b.score.meanSlack,
  )[0]!;
  return {
    metric: i.metric,
    methods: [ours, schedule, krr, vpa],
    better: better.method as 'krr-simple' | 'vpa-style',
    goal: { ours: check(ours, better), 'ours-schedule': check(schedule, better) },
  };
}
