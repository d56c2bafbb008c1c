import { MIB, dailyFactor, makePods, makeStorms, weeklyFactor } from './model.js';
import type { Pod, SynthOptions } from './model.js';
import { Rng } from './rng.js';

export type Level = 'app' | 'pause' | 'pod';
export const METRICS = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.'],
  [
    'container_memory_usage_bytes',
    'gauge',
    'Current memory usage in bytes, including all memory regardless of when it was accessed.',
  ],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'],
  ['container_spec_cpu_quota', 'gauge', 'CPU quota of the container.'],
  ['container_spec_cpu_period', 'gauge', 'CPU period of the container.'],
  ['container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.'],
] as const;
export type MetricName = (typeof METRICS)[number][0];

export interface SeriesBuf {
  metric: MetricName;
  pod: Pod;
  level: Level;
  labels: Record<string, string>;
  t: number[];
  v: number[];
  /** Indices of staleness markers in `t`/`v` (their `v` is NaN; the writer gives them the marker's bits). */
  stale?: number[];
}

export interface TruthRow {
  t: number;
  namespace: string;
  pod: string;
  workload: string;
  /** Mean CPU cores over the step ending at t: the AMF container, and the whole pod. */
  containerCores: number;
  podCores: number;
  /** Working set at t, bytes. */
  containerWorkingSet: number;
  podWorkingSet: number;
}

const PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';
const JOB = 'kubernetes-nodes-cadvisor';
const PAGE = 4096;
const pageRound = (bytes: number) => Math.round(bytes / PAGE) * PAGE;
const usRound = (s: number) => Math.round(s * 1e6) / 1e6;

/** The label sets cAdvisor (through the kubelet) exposes for one pod; empty labels are absent. */
export function seriesLabels(pod: Pod, level: Level, metric: MetricName): Record<string, string> {
  const cg = `/kubepods/burstable/pod${pod.uid}`;
  const l: Record<string, string> = {};
  if (level === 'app') l.container = pod.container;
  if (metric === 'container_cpu_usage_seconds_total') l.cpu = 'total';
  l.id = level === 'pod' ? cg : `${cg}/${level === 'app' ? pod.appId : pod.pauseId}`;
  if (level !== 'pod') l.image = level === 'app' ? pod.profile.image : PAUSE_IMAGE;
  l.instance = pod.node;
  l.job = JOB;
  if (level !== 'pod') l.name = level === 'app' ? pod.appId : pod.pauseId;
  l.namespace = pod.namespace;
  l.pod = pod.name;
  return l;
}

/** Which metrics a level exposes: the pause container has no CPU quota (it is unlimited). */
function metricsFor(level: Level): MetricName[] {
  return METRICS.map((m) => m[0]).filter((m) => !(level === 'pause' && m === 'container_spec_cpu_quota'));
}

interface PodState {
  pod: Pod;
  rng: Rng;
  cpuApp: number;
  cpuPause: number;
  heapMiB: number;
  loadEma: number;
  series: Map<string, SeriesBuf>;
  truthCpuApp: number;
  truthCpuPod: number;
  pausePages: number;
  truthTicks: number;
  /** The staleness markers of a pod that went are written (once, at the first scrape after it). */
  markedStale: boolean;
}

export interface Simulation {
  pods: Pod[];
  /** Calls `flush` with the samples of each UTC day (and the truth rows of that day); `false` from it stops. */
  run(flush: (series: SeriesBuf[], truth: TruthRow[], dayIndex: number) => unknown): void;
}

export function simulate(o: SynthOptions): Simulation {
  const root = new Rng(o.seed);
  const pods = makePods(o, root.fork('pods'));
  const storms = makeStorms(o, root.fork('storms'));
  return { pods, run: (flush) => run(o, pods, storms, root, flush) };
}

function run(
  o: SynthOptions,
  pods: Pod[],
  storms: ReturnType<typeof makeStorms>,
  root: Rng,
  flush: (s: SeriesBuf[], t: TruthRow[], d: number) => unknown,
): void {
  const step = o.scrapeIntervalS * 1000;
  const dt = o.scrapeIntervalS;
  const end = o.start + o.days * 86_400_000;
  const loadRng = root.fork('load');
  const scrapeRng = root.fork('scrapes');
  const states = pods.map<PodState>((pod) => ({
    pod,
    rng: root.fork(`pod:${pod.name}`),
    cpuApp: 0,
    cpuPause: 0,
    heapMiB: 0,
    loadEma: o.baseLoad,
    series: new Map(),
    truthCpuApp: 0,
    truthCpuPod: 0,
    pausePages: 0,
    truthTicks: 0,
    markedStale: false,
  }));
  const nodes = [...new Set(pods.map((p) => p.node))];
  // One 3-minute outage of the first node's scrapes at 58 % of the range (after the
  // restart's half-way point), plus rare single missed scrapes everywhere.
  const outageFrom = o.start + Math.floor((o.days * 86_400_000 * 0.58) / step) * step;
  const outageTo = outageFrom + 12 * step;
  const truthEvery = Math.max(1, Math.round(o.truthStepS / o.scrapeIntervalS));
  let noise = 0;
  let truth: TruthRow[] = [];
  let day = 0;
  let dayEnd = o.start + 86_400_000;
  let tick = 0;

  const emit = (st: PodState, level: Level, metric: MetricName, t: number, v: number) => {
    const key = `${level}|${metric}`;
    let s = st.series.get(key);
    if (!s)
      st.series.set(
        key,
        (s = { metric, pod: st.pod, level, labels: seriesLabels(st.pod, level, metric), t: [], v: [] }),
      );
    s.t.push(t);
    s.v.push(v);
  };
  // A live Prometheus writes a staleness marker for each series of a pod at the first scrape of its
  // node without it (a failed scrape writes them too), so a pod's series end with one (issue 15).
  const emitStale = (st: PodState, t: number) => {
    st.markedStale = true;
    for (const level of ['app', 'pause', 'pod'] as const)
      for (const m of metricsFor(level)) {
        emit(st, level, m, t, NaN);
        const s = st.series.get(`${level}|${m}`)!;
        (s.stale ??= []).push(s.t.length - 1);
      }
  };
  const doFlush = (): boolean => {
    const all: SeriesBuf[] = [];
    for (const st of states) for (const s of st.series.values()) if (s.t.length > 0) all.push(s);
    const go = flush(all, truth, day) !== false;
    for (const st of states) st.series.clear();
    truth = [];
    return go;
  };

  for (let t = o.start; t < end; t += step, tick++) {
    if (t >= dayEnd) {
      if (!doFlush()) return;
      day++;
      dayEnd += 86_400_000;
    }
    // Registrations/s: daily and weekly shape, AR(1) noise, storms decaying exponentially.
    noise = 0.98 * noise + 0.06 * Math.sqrt(1 - 0.98 * 0.98) * loadRng.normal();
    let storm = 0;
    for (const s of storms) if (t >= s.at) storm += s.amplitude * Math.exp(-(t - s.at) / 1000 / s.tauS);
    const load = Math.max(0, o.baseLoad * dailyFactor(t) * weeklyFactor(t) * (1 + noise) + storm);
    const missed = new Set<string>();
    for (const n of nodes) {
      if (scrapeRng.next() < 0.0005 || (n === nodes[0] && t >= outageFrom && t < outageTo)) missed.add(n);
    }
    // Most scrapes land on the interval; one in ten is 1–40 ms late.
    const jitter = new Map(nodes.map((n) => [n, scrapeRng.next() < 0.1 ? scrapeRng.int(1, 41) : 0]));

    for (const st of states) {
      const p = st.pod;
      if (t > p.to && !st.markedStale && p.to < end - step) emitStale(st, t + jitter.get(p.node)!);
      if (t < p.from || t > p.to) continue;
      const prof = p.profile;
      const r = st.rng;
      const share = load / o.replicas;
      let cores = p.loadDriven
        ? (prof.idleCores + prof.coresPerLoad * share) * (1 + 0.03 * r.normal())
        : prof.idleCores * (1 + 0.2 * r.normal());
      cores = Math.min(prof.cpuLimitCores * 0.98, Math.max(0.0005, cores));
      const pauseCores = 0.0002 * (1 + 0.1 * r.normal());
      st.cpuApp += cores * dt;
      st.cpuPause += Math.max(0, pauseCores) * dt;
      st.truthTicks++;
      st.truthCpuApp += cores * dt;
      st.truthCpuPod += (cores + Math.max(0, pauseCores) + 0.001) * dt;
      // Memory: resident set growing with pod age and smoothed load, plus a heap that grows
      // with load and drops at each garbage collection (sawtooth).
      st.loadEma += (share - st.loadEma) * 0.01;
      const ageDays = (t - p.from) / 86_400_000;
      st.heapMiB += prof.gcGrowthMiB * (0.5 + share / o.baseLoad) * (1 + 0.2 * r.normal());
      if (st.heapMiB > prof.gcThresholdMiB) st.heapMiB = r.uniform(0, 0.1 * prof.gcThresholdMiB);
      const ws = pageRound(
        (prof.baseMiB + prof.leakMiBPerDay * ageDays + prof.loadMiB * st.loadEma + Math.max(0, st.heapMiB)) * MIB,
      );
      const cache = pageRound((12 + 6 * Math.sin((2 * Math.PI * ageDays) / 1.7) + 2 * r.next()) * MIB);
      if (r.next() < 0.01) st.pausePages = r.int(0, 3);
      const pauseWs = pageRound(0.45 * MIB) + st.pausePages * PAGE;
      const podOverhead = pageRound(0.3 * MIB);

      if ((tick + 1) % truthEvery === 0) {
        // Mean over the part of the step the pod was alive (a new pod starts mid-step).
        const span = st.truthTicks * dt;
        st.truthTicks = 0;
        truth.push({
          t: t + step,
          namespace: p.namespace,
          pod: p.name,
          workload: p.workload,
          containerCores: st.truthCpuApp / span,
          podCores: st.truthCpuPod / span,
          containerWorkingSet: ws,
          podWorkingSet: ws + pauseWs + podOverhead,
        });
        st.truthCpuApp = 0;
        st.truthCpuPod = 0;
      }
      if (missed.has(p.node)) continue;
      const ts = t + jitter.get(p.node)!;
      const js = (ts - t) / 1000;
      const appCpu = usRound(Math.max(0, st.cpuApp + cores * js));
      const pauseCpu = usRound(Math.max(0, st.cpuPause));
      for (const level of ['app', 'pause', 'pod'] as const) {
        for (const m of metricsFor(level)) {
          let v: number;
          switch (m) {
            case 'container_cpu_usage_seconds_total':
              v =
                level === 'app'
                  ? appCpu
                  : level === 'pause'
                    ? pauseCpu
                    : usRound(appCpu + pauseCpu + 0.001 * ((t - p.from) / 1000 + dt));
              break;
            case 'container_memory_working_set_bytes':
              v = level === 'app' ? ws : level === 'pause' ? pauseWs : ws + pauseWs + podOverhead;
              break;
            case 'container_memory_usage_bytes':
              v =
                level === 'app'
                  ? ws + cache
                  : level === 'pause'
                    ? pauseWs + 65536
                    : ws + cache + pauseWs + 65536 + podOverhead;
              break;
            case 'container_spec_cpu_quota':
              v = Math.round(prof.cpuLimitCores * 100_000);
              break;
            case 'container_spec_cpu_period':
              v = 100_000;
              break;
            case 'container_spec_memory_limit_bytes':
              v = level === 'pause' ? 0 : prof.memLimitMiB * MIB;
              break;
          }
          emit(st, level, m, ts, v);
        }
      }
    }
  }
  doFlush();
}
