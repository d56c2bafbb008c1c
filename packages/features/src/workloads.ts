import type { Table } from 'apache-arrow';
import { DataNotFoundError, UsageError } from '@amf-foresight/core';
import type { Samples } from '@amf-foresight/core';
import { grid, instantOnGrid, pointsById, rateOnGrid } from './promql.js';
import type { SeriesPoints } from './promql.js';
import { selectSeries, seriesLabels } from './selection.js';
import type { Level } from './selection.js';

/**
 * Pod names as Kubernetes' controllers make them, with its safe alphabet for the random parts (no
 * vowels): a Deployment's `<deployment>-<ReplicaSet hash>-<5>`, a DaemonSet's or Job's `<name>-<5>`,
 * a StatefulSet's `<name>-<ordinal>`.
 */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const DAEMONSET_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const STATEFUL_POD = /^(.+)-\d+$/;

export interface Workload {
  namespace: string;
  /** The Deployment (or StatefulSet) name, e.g. `open5gs-amf`. */
  name: string;
  /** The network function: the name without the prefix, e.g. `amf`. */
  nf: string;
  pods: string[];
}

export interface DiscoverOptions {
  /** Namespaces: names, comma-separated, `*` matching any characters (default `openverso`). */
  namespace?: string;
  /** Workloads whose name starts with this (default `open5gs-`). */
  prefix?: string;
  /** Network functions to keep (default: every one found). */
  nfs?: readonly string[];
}

function namespaceMatcher(spec: string): (ns: string) => boolean {
  const res = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => new RegExp(`^${s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return (ns) => res.some((r) => r.test(ns));
}

const workloadOf = (pod: string) =>
  DEPLOYMENT_POD.exec(pod)?.[1] ?? DAEMONSET_POD.exec(pod)?.[1] ?? STATEFUL_POD.exec(pod)?.[1] ?? pod;

/**
 * Every workload of the namespaces whose name starts with `prefix` (every Open5GS network function
 * by default), from the pods the series name. None is DataNotFoundError (exit 3) listing what exists.
 */
export function discoverWorkloads(series: Table, o: DiscoverOptions = {}): Workload[] {
  const nsSpec = o.namespace ?? 'openverso';
  const inNs = namespaceMatcher(nsSpec);
  const prefix = o.prefix ?? 'open5gs-';
  const found = new Map<string, Workload>();
  const seen = new Map<string, Set<string>>();
  for (const l of seriesLabels(series)) {
    if (l.namespace === undefined || l.pod === undefined) continue;
    const name = workloadOf(l.pod);
    if (!seen.has(l.namespace)) seen.set(l.namespace, new Set());
    seen.get(l.namespace)!.add(name);
    if (!inNs(l.namespace) || !name.startsWith(prefix)) continue;
    const nf = name.slice(prefix.length);
    if (o.nfs && !o.nfs.includes(nf)) continue;
    const key = `${l.namespace}/${name}`;
    const w = found.get(key) ?? { namespace: l.namespace, name, nf, pods: [] };
    if (!w.pods.includes(l.pod)) w.pods.push(l.pod);
    found.set(key, w);
  }
  if (found.size === 0) {
    const there = [...seen].map(([ns, ws]) => `${ns}: ${[...ws].sort().join(', ')}`).join('; ');
    const what = `${o.nfs ? `network functions ${o.nfs.join(', ')} ` : ''}workloads ${prefix}*`;
    throw new DataNotFoundError('NO_WORKLOADS', `no ${what} in namespace ${nsSpec}; the data has ${there || 'none'}`, {
      flag: o.nfs ? '--nf' : '--namespace',
      hint: 'choose from those',
    });
  }
  return [...found.values()]
    .map((w) => ({ ...w, pods: w.pods.sort() }))
    .sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1));
}

/** One workload's level and metric, as a usage grid request. */
export interface UsageRequest {
  namespace: string;
  nf: string;
  level: Exclude<Level, 'amf+support'>;
  type: 'cpu' | 'memory';
}

/** Per-pod usage on the grid (a row per pod; NaN where it did not run) and the latest known limit. */
export interface PodUsage {
  start: number;
  stepMs: number;
  pods: { name: string; values: Float64Array }[];
  /** The cgroup's limit at the grid's end (cores or MiB); null where there is none. */
  limit: number | null;
}

export interface PodUsageOptions {
  start: number;
  end: number;
  /** Default 1 minute. */
  step?: number;
  /** rate() window for CPU (default 2 minutes). */
  rateWindow?: number;
  /** Instant lookback for memory (default 5 minutes, Prometheus's). */
  lookback?: number;
}

const METRIC = { cpu: 'container_cpu_usage_seconds_total', memory: 'container_memory_working_set_bytes' } as const;

function lastFinite(a: Float64Array): number {
  for (let i = a.length - 1; i >= 0; i--) if (Number.isFinite(a[i]!)) return a[i]!;
  return NaN;
}

/** A cgroup's spec series: CPU quota and period, memory limit (series ids). */
interface CgroupSpecs {
  quota?: number;
  period?: number;
  memory?: number;
}

const cgroupKey = (l: Record<string, string>) => `${l.namespace}|${l.pod}|${l.id ?? ''}`;

/** Every cgroup's spec series, by namespace, pod and cgroup id: one pass over the series table. */
function specIndex(series: Table): Map<string, CgroupSpecs> {
  const out = new Map<string, CgroupSpecs>();
  seriesLabels(series).forEach((l, sid) => {
    const slot =
      l.__name__ === 'container_spec_cpu_quota'
        ? 'quota'
        : l.__name__ === 'container_spec_cpu_period'
          ? 'period'
          : l.__name__ === 'container_spec_memory_limit_bytes'
            ? 'memory'
            : undefined;
    if (!slot) return;
    const k = cgroupKey(l);
    out.set(k, { ...out.get(k), [slot]: sid });
  });
  return out;
}

/** The cgroup's limit at the grid's end: quota / period cores, or MiB; NaN where it has none. */
function limitOf(
  type: 'cpu' | 'memory',
  s: CgroupSpecs | undefined,
  points: Map<number, SeriesPoints>,
  end: Float64Array,
) {
  const at = (sid: number | undefined) => {
    const p = sid === undefined ? undefined : points.get(sid);
    return p ? lastFinite(instantOnGrid(p, end)) : NaN;
  };
  return type === 'memory' ? at(s?.memory) / 1048576 : at(s?.quota) / at(s?.period);
}

/**
 * The per-pod usage of each request on one grid: CPU cores = rate() over `rateWindow`, memory MiB =
 * the working set; a pod's series of the level summed. The samples are scanned once for them all.
 * A request whose level has no series gets no pods.
 */
export function podUsage(
  input: Pick<Samples, 'series' | 'samples'>,
  reqs: UsageRequest[],
  o: PodUsageOptions,
): PodUsage[] {
  const step = o.step ?? 60_000;
  if (!(o.start < o.end)) throw new UsageError('BAD_WINDOW', 'the usage grid needs start < end', { flag: '--start' });
  const times = grid(o.start, o.end, step);
  const selections = reqs.map((r) => {
    try {
      return selectSeries(input.series, { metric: METRIC[r.type], level: r.level, namespace: r.namespace, nf: r.nf });
    } catch (e) {
      if (e instanceof DataNotFoundError && e.code === 'EMPTY_SELECTION') return [];
      throw e;
    }
  });
  const specs = specIndex(input.series);
  const ids = new Set(selections.flat().map((x) => x.id));
  for (const x of selections.flat()) {
    const sp = specs.get(cgroupKey(x.labels));
    for (const id of [sp?.quota, sp?.period, sp?.memory]) if (id !== undefined) ids.add(id);
  }
  const points = pointsById(input.samples, ids);
  return reqs.map((r, k) => {
    const pods = new Map<string, Float64Array>();
    let limit = NaN;
    for (const x of selections[k]!) {
      const p = points.get(x.id);
      if (!p) continue;
      const v =
        r.type === 'cpu'
          ? rateOnGrid(p, times, o.rateWindow ?? 120_000)
          : instantOnGrid(p, times, o.lookback).map((b) => b / 1048576);
      const row = pods.get(x.labels.pod!) ?? new Float64Array(times.length).fill(NaN);
      v.forEach((b, i) => (Number.isNaN(b) ? undefined : (row[i] = Number.isNaN(row[i]!) ? b : row[i]! + b)));
      pods.set(x.labels.pod!, row);
      const l = limitOf(r.type, specs.get(cgroupKey(x.labels)), points, times.subarray(times.length - 1));
      if (Number.isFinite(l) && l > 0) limit = Number.isNaN(limit) ? l : Math.max(limit, l);
    }
    return {
      start: o.start,
      stepMs: step,
      pods: [...pods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, values]) => ({ name, values })),
      limit: Number.isNaN(limit) ? null : limit,
    };
  });
}
