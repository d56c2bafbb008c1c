import { Table } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { float64Vector, timestampMsVector, utf8Vector } from '@amf-foresight/core/arrow';
import { cpuQuantity, memoryQuantity, resourcesPatch } from '@amf-foresight/recommend';
import { parquetBytes } from '@amf-foresight/tsdb-ingest/parquet';
import type { ArtifactWriter } from './artifacts.js';
import type { Fleet, FleetEntry } from './fleet.js';
import { fleetReport } from './fleet-report.js';

/** The version of recommendations.json's layout (docs/RECOMMENDATIONS.md and the orchestrator README). */
export const RECOMMENDATIONS_SCHEMA_VERSION = 1;

const iso = (t: number) => new Date(t).toISOString();
const finite = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function recommendation(e: FleetEntry): Record<string, unknown> {
  return {
    namespace: e.namespace,
    workload: e.workload,
    nf: e.nf,
    level: e.level,
    metric: e.metric,
    unit: e.unit,
    container: e.container,
    pods: e.pods,
    replicas: e.replicas,
    current: { limit: finite(e.currentLimit) },
    recommendation: e.ours && {
      request: e.ours.request,
      limit: e.ours.limit,
      expectedPeak: e.ours.expectedPeak,
      schedule: e.ours.schedule.map((s) => ({ start: iso(s.start), request: s.request })),
    },
    risk: e.risk,
    baselines: {
      krrSimple: e.krr && {
        request: finite(e.krr.request),
        limit: finite(e.krr.limit),
        ...(e.krr.info ? { info: e.krr.info } : {}),
      },
      vpaStyle: e.vpa && {
        request: e.vpa.request,
        limit: e.vpa.limit,
        target: e.vpa.target,
        lowerBound: e.vpa.lowerBound,
        upperBound: finite(e.vpa.upperBound),
      },
    },
    ...(e.backtest
      ? {
          backtest: {
            better: e.backtest.better,
            methods: e.backtest.methods.map((m) => ({
              method: m.method,
              request: finite(m.request),
              limit: finite(m.limit),
              violation: m.violation,
              ...m.score,
              meanSlack: finite(m.score.meanSlack),
            })),
            goal: e.backtest.goal,
          },
        }
      : {}),
  };
}

/** recommendations.json: the run's recommendations, versioned (schemaVersion). */
export function recommendationsDocument(f: Fleet): Record<string, unknown> {
  return {
    schemaVersion: RECOMMENDATIONS_SCHEMA_VERSION,
    history: { start: iso(f.history.start), end: iso(f.history.end) },
    period: { start: iso(f.period.start), end: iso(f.period.end), heldOut: Boolean(f.holdout) },
    model: f.model,
    risk: f.risk,
    units: { cpu: 'cores', memory: 'MiB' },
    rules: 'docs/RECOMMENDATIONS.md',
    recommendations: f.entries.filter((e) => !e.error).map(recommendation),
    failed: f.entries
      .filter((e) => e.error)
      .map((e) => ({ namespace: e.namespace, workload: e.workload, level: e.level, metric: e.metric, ...e.error })),
  };
}

/** A strategic-merge patch per workload: its application container's requests and limits (ours). */
export function workloadPatches(f: Fleet): { name: string; patch: Record<string, unknown> }[] {
  const byWorkload = new Map<string, FleetEntry[]>();
  for (const e of f.entries)
    if (e.level === 'amf' && e.container && e.ours) {
      const k = `${e.namespace}.${e.workload}`;
      byWorkload.set(k, [...(byWorkload.get(k) ?? []), e]);
    }
  return [...byWorkload].map(([name, es]) => {
    const cpu = es.find((e) => e.metric === 'cpu')?.ours;
    const memory = es.find((e) => e.metric === 'memory')?.ours;
    return {
      name,
      patch: resourcesPatch(es[0]!.container!, {
        ...(cpu ? { cpu: { request: cpu.request, limit: cpu.limit } } : {}),
        ...(memory ? { memory: { request: memory.request, limit: memory.limit } } : {}),
      }),
    };
  });
}

/** fleet.parquet: every forecast, one row per series and step, with the bounds of each level. */
export function fleetTable(f: Fleet): Table {
  const es = f.entries.filter((e) => e.forecast);
  const levels = Object.keys(es[0]?.forecast?.intervals ?? {}).sort((a, b) => Number(a) - Number(b));
  const rep = (pick: (e: FleetEntry) => string) => es.flatMap((e) => e.forecast!.ds.map(() => pick(e)));
  const cols: Record<string, Vector> = {
    namespace: utf8Vector(rep((e) => e.namespace)),
    workload: utf8Vector(rep((e) => e.workload)),
    level: utf8Vector(rep((e) => e.level)),
    metric: utf8Vector(rep((e) => e.metric)),
    ds: timestampMsVector(es.flatMap((e) => e.forecast!.ds)),
    mean: float64Vector(es.flatMap((e) => e.forecast!.mean)),
  };
  for (const l of levels) {
    cols[`lo-${l}`] = float64Vector(es.flatMap((e) => e.forecast!.intervals[l]!.lo));
    cols[`hi-${l}`] = float64Vector(es.flatMap((e) => e.forecast!.intervals[l]!.hi));
  }
  return new Table(cols);
}

/** fleet.parquet, recommendations.json, patches/<namespace>.<workload>.json and fleet.html. */
export function fleetWriter(): ArtifactWriter<Fleet> {
  return {
    kind: 'fleet',
    write: (f, store) => {
      const files = [
        { name: 'fleet.parquet', data: parquetBytes(fleetTable(f), { kind: 'fleet', model: f.model, version: 1 }) },
        { name: 'recommendations.json', data: JSON.stringify(recommendationsDocument(f), null, 2) + '\n' },
        ...workloadPatches(f).map((p) => ({
          name: `patches/${p.name}.json`,
          data: JSON.stringify(p.patch, null, 2) + '\n',
        })),
        { name: 'fleet.html', data: fleetReport(f) },
      ];
      store.write(files);
      return Promise.resolve(files.map((x) => x.name));
    },
  };
}

/** A KRR-like table of the application containers: current limits, then ours, KRR's and VPA's requests → limits. */
export function fleetText(f: Fleet): string {
  const q = (metric: 'cpu' | 'memory', v: number | null | undefined) =>
    typeof v === 'number' && Number.isFinite(v) ? (metric === 'cpu' ? cpuQuantity(v) : memoryQuantity(v)) : '-';
  const pair = (m: 'cpu' | 'memory', r: number | null | undefined, l: number | null | undefined) =>
    `${q(m, r)} → ${q(m, l)}`;
  const rows = [
    ['NAMESPACE', 'WORKLOAD', 'METRIC', 'CURRENT LIMIT', 'OURS req → lim', 'KRR req → lim', 'VPA req → lim'],
  ];
  for (const e of f.entries.filter((x) => x.level === 'amf')) {
    if (e.error) {
      rows.push([e.namespace, e.workload, e.metric, 'failed:', e.error.code, '', '']);
      continue;
    }
    rows.push([
      e.namespace,
      e.workload,
      e.metric,
      q(e.metric, e.currentLimit),
      pair(e.metric, e.ours?.request, e.ours?.limit),
      pair(e.metric, e.krr?.request, e.krr?.limit),
      pair(e.metric, e.vpa?.request, e.vpa?.limit),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
