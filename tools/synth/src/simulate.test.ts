import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './model.js';
import type { SynthOptions } from './model.js';
import { toOpenMetrics } from './openmetrics.js';
import { simulate } from './simulate.js';
import type { SeriesBuf, TruthRow } from './simulate.js';

function collect(o: SynthOptions): {
  series: SeriesBuf[];
  truth: TruthRow[];
  pods: ReturnType<typeof simulate>['pods'];
} {
  const sim = simulate(o);
  const byKey = new Map<string, SeriesBuf>();
  const truth: TruthRow[] = [];
  sim.run((series, t) => {
    for (const s of series) {
      const k = JSON.stringify(s.labels) + s.metric;
      const have = byKey.get(k);
      if (have) {
        have.t.push(...s.t);
        have.v.push(...s.v);
      } else byKey.set(k, { ...s, t: [...s.t], v: [...s.v] });
    }
    truth.push(...t);
  });
  return { series: [...byKey.values()], truth, pods: sim.pods };
}

const oneDay = collect({ ...DEFAULT_OPTIONS, days: 1 });
const week = collect({ ...DEFAULT_OPTIONS, days: 7, scrapeIntervalS: 60, distractors: false });
const K8S = '[bcdfghjklmnpqrstvwxz2456789]';

describe('simulated cAdvisor series', () => {
  it('names pods as Kubernetes does and places them in openverso and kube-system', () => {
    const names = oneDay.pods.map((p) => p.name);
    for (const nf of ['amf', 'smf', 'upf', 'nrf'])
      expect(names.some((n) => new RegExp(`^open5gs-${nf}-${K8S}{10}-${K8S}{5}$`).test(n))).toBe(true);
    expect(names.some((n) => new RegExp(`^coredns-${K8S}{10}-${K8S}{5}$`).test(n))).toBe(true);
    expect(names.some((n) => new RegExp(`^kube-proxy-${K8S}{5}$`).test(n))).toBe(true);
    expect(new Set(oneDay.pods.map((p) => p.namespace))).toEqual(new Set(['openverso', 'kube-system']));
  });

  it('gives each pod the three cgroup levels with the label sets cAdvisor uses', () => {
    const amf = oneDay.pods.find((p) => p.workload === 'amf')!;
    const mine = oneDay.series.filter((s) => s.pod.name === amf.name);
    const app = mine.filter((s) => s.level === 'app');
    const pause = mine.filter((s) => s.level === 'pause');
    const pod = mine.filter((s) => s.level === 'pod');
    expect(app.map((s) => s.metric).sort()).toEqual([
      'container_cpu_usage_seconds_total',
      'container_memory_usage_bytes',
      'container_memory_working_set_bytes',
      'container_spec_cpu_period',
      'container_spec_cpu_quota',
      'container_spec_memory_limit_bytes',
    ]);
    expect(pause.map((s) => s.metric)).not.toContain('container_spec_cpu_quota');
    for (const s of app) {
      expect(s.labels.container).toBe('open5gs-amf');
      expect(s.labels.image).toMatch(/open5gs/);
      expect(s.labels.name).toMatch(/^[0-9a-f]{64}$/);
      expect(s.labels.id).toBe(`/kubepods/burstable/pod${amf.uid}/${s.labels.name}`);
    }
    for (const s of pause) {
      expect(s.labels.container).toBeUndefined();
      expect(s.labels.image).toBe('registry.k8s.io/pause:3.9');
    }
    for (const s of pod) {
      expect(Object.keys(s.labels).filter((k) => ['container', 'image', 'name'].includes(k))).toEqual([]);
      expect(s.labels.id).toBe(`/kubepods/burstable/pod${amf.uid}`);
    }
    expect(mine.find((s) => s.metric === 'container_cpu_usage_seconds_total' && s.level === 'app')!.labels.cpu).toBe(
      'total',
    );
  });

  it('keeps counters monotone; the restarted AMF is a new pod whose counters start from zero', () => {
    for (const s of oneDay.series.filter((x) => x.metric === 'container_cpu_usage_seconds_total')) {
      const n = s.v.length - (s.stale?.length ?? 0); // a marker can only end a series
      for (let i = 1; i < n; i++) expect(s.v[i]!).toBeGreaterThanOrEqual(s.v[i - 1]!);
      for (let i = 1; i < s.t.length; i++) expect(s.t[i]!).toBeGreaterThan(s.t[i - 1]!);
    }
    const amfs = oneDay.pods.filter((p) => p.workload === 'amf');
    expect(amfs).toHaveLength(2);
    expect(amfs[1]!.name).not.toBe(amfs[0]!.name);
    expect(amfs[1]!.name.slice(0, -6)).toBe(amfs[0]!.name.slice(0, -6)); // same ReplicaSet
    expect(amfs[1]!.from).toBeGreaterThan(amfs[0]!.to);
    const after = oneDay.series.find(
      (s) => s.pod.name === amfs[1]!.name && s.level === 'app' && s.metric === 'container_cpu_usage_seconds_total',
    )!;
    const before = oneDay.series.find(
      (s) => s.pod.name === amfs[0]!.name && s.level === 'app' && s.metric === 'container_cpu_usage_seconds_total',
    )!;
    expect(after.v[0]!).toBeLessThan(15);
    expect(before.v[before.v.length - 2]!).toBeGreaterThan(1000);
  });

  it('ends every series of the pod that went with one staleness marker, at the first scrape after it', () => {
    const [gone, next] = oneDay.pods.filter((p) => p.workload === 'amf');
    const ended = oneDay.series.filter((s) => s.pod.name === gone!.name);
    expect(ended.length).toBeGreaterThan(10);
    for (const s of ended) {
      expect(s.stale).toEqual([s.t.length - 1]);
      expect(s.v.at(-1)).toBeNaN();
      expect(s.t.at(-1)!).toBeGreaterThan(gone!.to);
      expect(s.t.at(-1)!).toBeLessThanOrEqual(gone!.to + 15_000 + 40);
    }
    expect(oneDay.series.filter((s) => s.pod.name !== gone!.name && s.stale)).toEqual([]);
    expect(next!.from).toBeGreaterThan(gone!.to);
  });

  it('scrapes every 15 s with some jitter and a few missed scrapes', () => {
    const s = oneDay.series.find(
      (x) => x.pod.workload === 'nrf' && x.level === 'app' && x.metric === 'container_spec_cpu_period',
    )!;
    const gaps = s.t.slice(1).map((t, i) => t - s.t[i]!);
    expect(gaps.filter((g) => g === 15_000).length / gaps.length).toBeGreaterThan(0.7);
    expect(gaps.some((g) => g !== 15_000 && g < 15_100)).toBe(true);
    expect(s.t.length).toBeLessThan(5760);
    const amfApp = oneDay.series.find(
      (x) => x.pod.workload === 'amf' && x.level === 'app' && x.metric === 'container_spec_cpu_period',
    )!;
    // the outage
    expect(Math.max(...amfApp.t.slice(1).map((t, i) => t - amfApp.t[i]!))).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('has daily and weekly seasonality in the AMF ground truth', () => {
    const amf = week.truth.filter((r) => r.workload === 'amf');
    const hour = (r: TruthRow) => new Date(r.t).getUTCHours();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const peak = mean(amf.filter((r) => hour(r) >= 14 && hour(r) < 17).map((r) => r.containerCores));
    const night = mean(amf.filter((r) => hour(r) >= 2 && hour(r) < 5).map((r) => r.containerCores));
    expect(peak / night).toBeGreaterThan(2);
    const dow = (r: TruthRow) => new Date(r.t).getUTCDay();
    const weekday = mean(
      amf.filter((r) => dow(r) >= 1 && dow(r) <= 5 && hour(r) >= 12 && hour(r) < 18).map((r) => r.containerCores),
    );
    const weekend = mean(
      amf.filter((r) => (dow(r) === 0 || dow(r) === 6) && hour(r) >= 12 && hour(r) < 18).map((r) => r.containerCores),
    );
    expect(weekend / weekday).toBeLessThan(0.85);
    // Memory grows slowly with pod age: the first pod's nightly minimum rises day by day.
    const first = amf.filter((r) => r.pod === amf[0]!.pod);
    const nightMin = (d: number) =>
      Math.min(
        ...first
          .filter((r) => Math.floor((r.t - first[0]!.t) / 86_400_000) === d && hour(r) < 5)
          .map((r) => r.containerWorkingSet),
      );
    expect(nightMin(3)).toBeGreaterThan(nightMin(0));
  });

  it('ground-truth CPU agrees with the counters it drives', () => {
    const amf = oneDay.pods.find((p) => p.workload === 'amf')!;
    const c = oneDay.series.find(
      (s) => s.pod.name === amf.name && s.level === 'app' && s.metric === 'container_cpu_usage_seconds_total',
    )!;
    const from = c.t.findIndex((t) => t >= amf.from + 3_600_000);
    const to = c.t.findIndex((t) => t >= amf.from + 7_200_000);
    const fromCounter = (c.v[to]! - c.v[from]!) / ((c.t[to]! - c.t[from]!) / 1000);
    const tr = oneDay.truth.filter((r) => r.pod === amf.name && r.t > c.t[from]! && r.t <= c.t[to]! + 1);
    const fromTruth = tr.reduce((a, r) => a + r.containerCores, 0) / tr.length;
    expect(Math.abs(fromCounter / fromTruth - 1)).toBeLessThan(0.01);
  });

  it('is deterministic for a seed', () => {
    const hash = (seed: number) => {
      const h = createHash('sha256');
      simulate({ ...DEFAULT_OPTIONS, days: 0.25, seed }).run((series) => toOpenMetrics(series, (c) => h.update(c)));
      return h.digest('hex');
    };
    expect(hash(1)).toBe(hash(1));
    expect(hash(2)).not.toBe(hash(1));
  });
});
