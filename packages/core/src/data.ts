import type { Table } from 'apache-arrow';

/**
 * The samples contract (DESIGN §3): a series table (`series_id` plus one utf8 column per label
 * name, null where a series lacks the label) and a samples table (`series_id` uint32, `t` int64
 * ms, `v` float64 with the stored bits, staleness NaN included), sorted by series then time.
 * Only the Arrow *types* are used here: core loads no Arrow at run time.
 */
export interface Samples {
  readonly kind: 'samples';
  series: Table;
  samples: Table;
  /** The window asked for, ms, both ends inclusive. */
  window: { start: number; end: number };
  /**
   * Samples were read from this time on (≤ window.start), so that rate() and instant lookups
   * at window.start see the same data as Prometheus does.
   */
  readFrom: number;
  /** Where the samples came from: a directory, a URL. */
  source: string;
}

/** One batch of a streamed read: whole series in label order, numbered on from the batches before. */
export interface SamplesBatch {
  firstSeriesId: number;
  /** Per series, label pairs sorted by name: [name0, value0, name1, value1, …]. */
  labels: string[][];
  /** Series firstSeriesId + i owns samples [offsets[i], offsets[i+1]). */
  offsets: Uint32Array;
  t: BigInt64Array;
  v: Float64Array;
}

/**
 * Samples too many to hold: the same contract as `Samples`, as batches read when iterated (once).
 * The runner's writer iterates them into Parquet row groups, so memory stays that of a batch.
 */
export interface SamplesStream {
  readonly kind: 'samples-stream';
  window: { start: number; end: number };
  readFrom: number;
  source: string;
  batches(): AsyncIterable<SamplesBatch>;
  /** Filled in when the batches have all been read. */
  readonly summary: { series: number; samples: number };
}

/** One series of a dataset, summarised. */
export interface SeriesSummary {
  unique_id: string;
  points: number;
  missing: number;
  /** Longest run of missing grid points. */
  longestGap: number;
  min: number;
  mean: number;
  max: number;
  pods: string[];
}

/** The dataset contract: `unique_id`, `ds` (timestamp ms UTC), `y` (null where missing), label columns. */
export interface Dataset {
  readonly kind: 'dataset';
  table: Table;
  /** Stored as the Parquet key-value metadata `amf_foresight`: metric, level, type, unit, step, … */
  metadata: Record<string, unknown>;
  summary: { rows: number; start: number; end: number; series: SeriesSummary[] };
}

/** Units of the feature types, for plots and metadata. */
export const FEATURE_UNITS: Readonly<Record<string, string>> = {
  memory: 'MiB',
  cpu: 'cores',
  utilization: '% of CPU limit',
  raw: 'raw',
};
