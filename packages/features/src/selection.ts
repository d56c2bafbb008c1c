import type { Table } from 'apache-arrow';
import { DataNotFoundError, UsageError } from '@amf-foresight/core';

export const LEVELS = ['amf', 'support', 'upperlimit', 'amf+support'] as const;
export type Level = (typeof LEVELS)[number];

export interface SelectionOptions {
  metric: string;
  level: Level;
  /** Default `openverso`. */
  namespace?: string;
  /** Network function: `amf` selects pods `open5gs-amf…` and container `open5gs-amf`. */
  nf?: string;
  /** Pods whose name starts with this (default `open5gs-<nf>`). */
  podPrefix?: string;
  /** The application container (default `open5gs-<nf>`). */
  container?: string;
  /** The prototype's --pod: a further pod-name prefix filter. */
  pod?: string;
}

export interface SelectedSeries {
  /** Row (= series_id) in the series table. */
  id: number;
  labels: Record<string, string>;
  /** `amf` for the application container, `support` for the sandbox, `upperlimit` for the pod cgroup. */
  kind: 'amf' | 'support' | 'upperlimit';
}

export function resolveSelection(o: SelectionOptions): Required<Omit<SelectionOptions, 'pod'>> & { pod?: string } {
  if (!LEVELS.includes(o.level))
    throw new UsageError('BAD_LEVEL', `unknown level ${JSON.stringify(o.level)}`, {
      flag: '--level',
      hint: `use one of ${LEVELS.join(', ')}`,
    });
  const nf = o.nf ?? 'amf';
  return {
    metric: o.metric,
    level: o.level,
    namespace: o.namespace ?? 'openverso',
    nf,
    podPrefix: o.podPrefix ?? `open5gs-${nf}`,
    container: o.container ?? `open5gs-${nf}`,
    ...(o.pod !== undefined ? { pod: o.pod } : {}),
  };
}

/**
 * The name of a level for a network function: `amf` is the application container's level, so for
 * `--nf smf` it reads `smf` (and `amf+support` reads `smf+support`).
 */
export function levelName(level: Level, nf: string): string {
  return level.replace(/^amf/, nf);
}

const labelCache = new WeakMap<Table, Record<string, string>[]>();

/**
 * Every series of a samples series table, as label objects (absent labels left out). Tables are
 * immutable, so each is read once: a fleet selects from the same table hundreds of times.
 */
export function seriesLabels(series: Table): Record<string, string>[] {
  const cached = labelCache.get(series);
  if (cached) return cached;
  const out = readLabels(series);
  labelCache.set(series, out);
  return out;
}

function readLabels(series: Table): Record<string, string>[] {
  const names = series.schema.fields.map((f) => f.name).filter((n) => n !== 'series_id');
  const cols = names.map((n) => series.getChild(n)!);
  const out: Record<string, string>[] = [];
  for (let r = 0; r < series.numRows; r++) {
    const l: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = cols[i]!.get(r) as string | null;
      if (v !== null && v !== '') l[n] = v;
    });
    out.push(l);
  }
  return out;
}

/**
 * The cAdvisor levels (DESIGN §4): `amf` = the application container's series; `upperlimit`
 * = the pod cgroup (no container, no image); `support` = the sandbox/pause container
 * (no container, an image); `amf+support` = both.
 */
export function selectSeries(series: Table, o: SelectionOptions): SelectedSeries[] {
  const s = resolveSelection(o);
  const all = seriesLabels(series);
  const metrics = [...new Set(all.map((l) => l.__name__).filter((m): m is string => m !== undefined))].sort();
  if (!metrics.includes(s.metric)) {
    throw new DataNotFoundError(
      'METRIC_ABSENT',
      `metric ${s.metric} is not in the data; present: ${metrics.join(', ') || 'none'}`,
      { flag: '--metric' },
    );
  }
  const out: SelectedSeries[] = [];
  all.forEach((l, id) => {
    if (l.__name__ !== s.metric || l.namespace !== s.namespace) return;
    const pod = l.pod ?? '';
    if (!pod.startsWith(s.podPrefix) || (s.pod !== undefined && !pod.startsWith(s.pod))) return;
    const kind =
      l.container === s.container
        ? 'amf'
        : l.container === undefined && l.image === undefined
          ? 'upperlimit'
          : l.container === undefined
            ? 'support'
            : undefined;
    if (kind === undefined) return;
    const want = s.level === 'amf+support' ? kind === 'amf' || kind === 'support' : kind === s.level;
    if (want) out.push({ id, labels: l, kind });
  });
  if (out.length === 0) {
    const pods = [
      ...new Set(all.filter((l) => l.__name__ === s.metric && l.namespace === s.namespace).map((l) => l.pod)),
    ].sort();
    throw new DataNotFoundError(
      'EMPTY_SELECTION',
      `no ${s.metric} series for level ${s.level} of pods ${s.pod ?? s.podPrefix}* in namespace ` +
        `${s.namespace}; pods there: ${pods.slice(0, 12).join(', ') || 'none'}${pods.length > 12 ? ', …' : ''}`,
      { flag: '--level', hint: 'check --namespace, --nf, --pod and --level' },
    );
  }
  return out;
}
