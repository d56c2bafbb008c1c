import { hex, k8sHash, uid } from './k8s.js';
import { Rng } from './rng.js';

/**
 * The workload model (documented with its parameters in ../README.md). Everything is a pure
 * function of the options and the seed.
 */

export const MIB = 1024 * 1024;
const DAY_MS = 86_400_000;

/** Per network function: CPU cores = idle + perLoad × registrations/s; memory in MiB. */
export interface NfProfile {
  idleCores: number;
  coresPerLoad: number;
  cpuLimitCores: number;
  baseMiB: number;
  /** Memory that grows with load, MiB per registration/s. */
  loadMiB: number;
  /** Slow growth, MiB per day of pod age (a leak or caches filling up). */
  leakMiBPerDay: number;
  /** Heap growth between garbage collections, MiB per tick at base load. */
  gcGrowthMiB: number;
  /** Heap growth that triggers a collection, MiB. */
  gcThresholdMiB: number;
  memLimitMiB: number;
  image: string;
}

export const NF_PROFILES: Record<string, NfProfile> = {
  amf: {
    idleCores: 0.02,
    coresPerLoad: 0.004,
    cpuLimitCores: 1,
    baseMiB: 120,
    loadMiB: 0.35,
    leakMiBPerDay: 2.5,
    gcGrowthMiB: 0.25,
    gcThresholdMiB: 12,
    memLimitMiB: 512,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  smf: {
    idleCores: 0.015,
    coresPerLoad: 0.0025,
    cpuLimitCores: 1,
    baseMiB: 90,
    loadMiB: 0.25,
    leakMiBPerDay: 1,
    gcGrowthMiB: 0.15,
    gcThresholdMiB: 8,
    memLimitMiB: 512,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  upf: {
    idleCores: 0.05,
    coresPerLoad: 0.006,
    cpuLimitCores: 2,
    baseMiB: 150,
    loadMiB: 0.5,
    leakMiBPerDay: 0.5,
    gcGrowthMiB: 0.3,
    gcThresholdMiB: 16,
    memLimitMiB: 1024,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  nrf: {
    idleCores: 0.005,
    coresPerLoad: 0.0004,
    cpuLimitCores: 0.5,
    baseMiB: 40,
    loadMiB: 0.05,
    leakMiBPerDay: 0.2,
    gcGrowthMiB: 0.05,
    gcThresholdMiB: 4,
    memLimitMiB: 256,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  ausf: {
    idleCores: 0.005,
    coresPerLoad: 0.001,
    cpuLimitCores: 0.5,
    baseMiB: 45,
    loadMiB: 0.08,
    leakMiBPerDay: 0.2,
    gcGrowthMiB: 0.06,
    gcThresholdMiB: 4,
    memLimitMiB: 256,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  udm: {
    idleCores: 0.005,
    coresPerLoad: 0.001,
    cpuLimitCores: 0.5,
    baseMiB: 45,
    loadMiB: 0.08,
    leakMiBPerDay: 0.2,
    gcGrowthMiB: 0.06,
    gcThresholdMiB: 4,
    memLimitMiB: 256,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
  pcf: {
    idleCores: 0.006,
    coresPerLoad: 0.0012,
    cpuLimitCores: 0.5,
    baseMiB: 55,
    loadMiB: 0.1,
    leakMiBPerDay: 0.3,
    gcGrowthMiB: 0.08,
    gcThresholdMiB: 5,
    memLimitMiB: 256,
    image: 'docker.io/gradiant/open5gs:2.7.0',
  },
};

export interface SynthOptions {
  /** First scrape, ms since the epoch. */
  start: number;
  days: number;
  scrapeIntervalS: number;
  seed: number;
  nfs: string[];
  /** Pods per network function (the scale knob for benchmark-size data). */
  replicas: number;
  /**
   * Namespaces, each a whole Open5GS deployment (sites of a national network; the other scale knob).
   * Default `openverso` (synth.json files older than the option have none).
   */
  namespaces?: string[];
  /** Add kube-system pods that are not Open5GS. */
  distractors: boolean;
  /** Restart the first AMF pod once (new pod name, counters from zero). */
  restart: boolean;
  /** Step of the ground truth, s. */
  truthStepS: number;
  /** UE registrations per second at the weekday peak. */
  baseLoad: number;
}

export const DEFAULT_OPTIONS: SynthOptions = {
  start: Date.UTC(2023, 5, 5), // Monday 2023-06-05 00:00 UTC
  days: 7,
  scrapeIntervalS: 15,
  seed: 1,
  nfs: ['amf', 'smf', 'upf', 'nrf'],
  replicas: 1,
  namespaces: ['openverso'],
  distractors: true,
  restart: true,
  truthStepS: 60,
  baseLoad: 40,
};

/** One pod's life: a Kubernetes pod name, its cgroup ids, and the times it exists. */
export interface Pod {
  namespace: string;
  /** Network function ("amf") or, for distractors, the workload name. */
  workload: string;
  profile: NfProfile;
  loadDriven: boolean;
  name: string;
  container: string;
  node: string;
  uid: string;
  appId: string;
  pauseId: string;
  /** First and last nominal scrape (ms), inclusive. */
  from: number;
  to: number;
}

export interface Storm {
  at: number;
  amplitude: number;
  tauS: number;
}

/** Daily shape: lowest at 03:30 UTC (0.25), highest at 15:30 UTC (1.0). */
export function dailyFactor(t: number): number {
  const h = (((t % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  return 0.25 + (0.75 * (1 - Math.cos((2 * Math.PI * (h - 3.5)) / 24))) / 2;
}

/** Weekly shape: weekdays 1.0, Saturday 0.75, Sunday 0.65. */
export function weeklyFactor(t: number): number {
  const dow = new Date(t).getUTCDay();
  return dow === 6 ? 0.75 : dow === 0 ? 0.65 : 1;
}

export function makeStorms(o: SynthOptions, rng: Rng): Storm[] {
  // About one registration storm every two days, at random times.
  const n = Math.max(1, Math.round(o.days / 2 + rng.normal() * 0.5));
  const storms: Storm[] = [];
  for (let i = 0; i < n; i++) {
    storms.push({
      at: o.start + rng.next() * o.days * DAY_MS,
      amplitude: rng.uniform(1, 2.5) * o.baseLoad,
      tauS: rng.uniform(180, 600),
    });
  }
  return storms.sort((a, b) => a.at - b.at);
}

export function makePods(o: SynthOptions, rng: Rng): Pod[] {
  const end = o.start + o.days * DAY_MS - o.scrapeIntervalS * 1000;
  const pods: Pod[] = [];
  const nodes = ['worker-1', 'worker-2'];
  let k = 0;
  const add = (
    namespace: string,
    workload: string,
    deployName: string,
    container: string,
    profile: NfProfile,
    loadDriven: boolean,
    daemonSet = false,
  ) => {
    const rs = k8sHash(rng, 10);
    for (let r = 0; r < o.replicas; r++) {
      const podHash = k8sHash(rng, 5);
      const name = daemonSet ? `${deployName}-${podHash}` : `${deployName}-${rs}-${podHash}`;
      pods.push({
        namespace,
        workload,
        profile,
        loadDriven,
        name,
        container,
        node: nodes[k++ % nodes.length]!,
        uid: uid(rng),
        appId: hex(rng, 64),
        pauseId: hex(rng, 64),
        from: o.start,
        to: end,
      });
      if (daemonSet) break;
    }
    return rs;
  };
  // The first AMF pod dies at 62.6 % of the range and its replacement (same ReplicaSet, new pod hash)
  // starts two scrapes later: a pod restart as Kubernetes names it.
  const addRestart = (rs: string) => {
    const first = pods.find((p) => p.workload === 'amf')!;
    const step = o.scrapeIntervalS * 1000;
    const dies = o.start + Math.floor((o.days * DAY_MS * 0.626) / step) * step;
    first.to = dies;
    pods.push({
      ...first,
      name: `open5gs-amf-${rs}-${k8sHash(rng, 5)}`,
      uid: uid(rng),
      appId: hex(rng, 64),
      pauseId: hex(rng, 64),
      from: dies + 3 * step,
      to: end,
    });
  };
  for (const [site, namespace] of (o.namespaces ?? ['openverso']).entries())
    for (const nf of o.nfs) {
      const profile = NF_PROFILES[nf];
      if (!profile) throw new Error(`unknown network function ${nf} (known: ${Object.keys(NF_PROFILES).join(', ')})`);
      const rs = add(namespace, nf, `open5gs-${nf}`, `open5gs-${nf}`, profile, true);
      if (site === 0 && nf === 'amf' && o.restart && o.days >= 1) addRestart(rs);
    }
  if (o.distractors) {
    const quiet: NfProfile = {
      idleCores: 0.003,
      coresPerLoad: 0,
      cpuLimitCores: 0.1,
      baseMiB: 18,
      loadMiB: 0,
      leakMiBPerDay: 0,
      gcGrowthMiB: 0.02,
      gcThresholdMiB: 2,
      memLimitMiB: 170,
      image: 'registry.k8s.io/coredns/coredns:v1.10.1',
    };
    add('kube-system', 'coredns', 'coredns', 'coredns', quiet, false);
    add(
      'kube-system',
      'kube-proxy',
      'kube-proxy',
      'kube-proxy',
      { ...quiet, idleCores: 0.001, baseMiB: 25, image: 'registry.k8s.io/kube-proxy:v1.27.3' },
      false,
      true,
    );
  }
  return pods;
}
