import type { UsageGrid } from './usage.js';

/** How a recommendation fared on usage it did not see (docs/RECOMMENDATIONS.md, the backtest). */
export interface Score {
  /** Pod-steps observed. */
  points: number;
  /** Fraction of pod-steps above the request (CPU: the violation). */
  aboveRequest: number;
  /** Fraction of pod-steps above the limit (CPU: throttled); 0 without a limit. */
  aboveLimit: number;
  /** Pod-steps above the limit (memory: OOM kills, the violation). */
  overLimit: number;
  /** Mean of request − usage over the pod-steps (cores or MiB); NaN without a request. */
  meanSlack: number;
}

/** The request in force at a time: a constant, or an hourly schedule (the last entry at or before t). */
export type RequestAt = (t: number) => number | null;

export function constantRequest(r: number | null): RequestAt {
  return () => r;
}

export function scheduledRequest(schedule: readonly { start: number; request: number }[]): RequestAt {
  return (t) => {
    let r: number | null = null;
    for (const s of schedule) if (s.start <= t) r = s.request;
    return r ?? schedule[0]?.request ?? null;
  };
}

export function score(g: UsageGrid, request: RequestAt, limit: number | null): Score {
  let [points, above, aboveLimit, slack] = [0, 0, 0, 0];
  let undefinedRequest = false;
  for (const p of g.pods)
    for (let i = 0; i < p.values.length; i++) {
      const v = p.values[i]!;
      if (Number.isNaN(v)) continue;
      const r = request(g.start + i * g.stepMs);
      points++;
      if (r === null) undefinedRequest = true;
      else {
        if (v > r) above++;
        slack += r - v;
      }
      if (limit !== null && v > limit) aboveLimit++;
    }
  const d = Math.max(1, points);
  return {
    points,
    aboveRequest: above / d,
    aboveLimit: aboveLimit / d,
    overLimit: aboveLimit,
    meanSlack: undefinedRequest || points === 0 ? NaN : slack / points,
  };
}

/** A setting of a method's knob, and how it scored. */
export interface SweepPoint {
  knob: number;
  violation: number;
  slack: number;
}

/** The least slack of a method's settings with at most `violation` (NaN when none reaches it). */
export function slackWithin(points: readonly SweepPoint[], violation: number): number {
  const ok = points.filter((p) => p.violation <= violation + 1e-12 && Number.isFinite(p.slack));
  return ok.length > 0 ? Math.min(...ok.map((p) => p.slack)) : NaN;
}

/** The fewest violations of a method's settings with at most `slack` of slack (NaN when none). */
export function violationsWithin(points: readonly SweepPoint[], slack: number): number {
  const ok = points.filter((p) => p.slack <= slack + 1e-12);
  return ok.length > 0 ? Math.min(...ok.map((p) => p.violation)) : NaN;
}
