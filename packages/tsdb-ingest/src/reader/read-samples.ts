import { Table, makeVector } from 'apache-arrow';
import { utf8Vector } from '@amf-foresight/core/arrow';
import type { Logger } from '@amf-foresight/core';
import { DataNotFoundError, silentLogger } from '@amf-foresight/core';
import { listBlocks, openBlockSync } from './block.js';
import type { Block, BlockListing } from './block.js';
import type { Labels } from './labels.js';
import { compareUtf8 } from './labels.js';
import { querySamples } from './query.js';
import type { QueryOptions, QueryResult, QueryStats } from './query.js';
import type { S3ReadOptions } from '../sources/s3-inplace.js';

export interface ReadSamplesOptions extends QueryOptions {
  logger?: Logger;
  /** For `s3://bucket/prefix`: the client, index-header cache, concurrency and range merging. */
  s3?: Omit<S3ReadOptions, 'bucket' | 'prefix'>;
}

export interface SamplesTables {
  /** `series_id` (uint32, 0..n-1 in label order) and one nullable utf8 column per label name. */
  series: Table;
  /** `series_id` uint32, `t` int64 ms, `v` float64 (bits as stored). */
  samples: Table;
  stats: QueryStats;
  warnings: string[];
}

/** The one "no blocks" error: nothing in `dir` is a TSDB block (exit 3). */
export function noBlocksError(dir: string, listing?: BlockListing): DataNotFoundError {
  const skipped = listing?.ignored.length
    ? ` (skipped: ${listing.ignored.map((i) => `${i.name}: ${i.reason}`).join(', ')})`
    : '';
  return new DataNotFoundError('NO_BLOCKS', `no TSDB blocks found${skipped}`, {
    file: dir,
    hint: 'point at a Prometheus data directory, a snapshot or a block cache (amf-foresight download fills one)',
  });
}

/** Opens the blocks under `dirs` (block dirs or data dirs) whose range overlaps the window. */
export function openBlocksFor(
  dirs: string | readonly string[],
  opts: { minTime?: number; maxTime?: number; logger?: Logger; window?: number } = {},
): Block[] {
  const qmin = opts.minTime ?? -Number.MAX_SAFE_INTEGER;
  const qmax = opts.maxTime ?? Number.MAX_SAFE_INTEGER;
  const log = opts.logger ?? silentLogger;
  const blocks: Block[] = [];
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    const listing = listBlocks(dir);
    if (listing.blocks.length === 0) {
      throw noBlocksError(dir, listing);
    }
    for (const ig of listing.ignored) log.debug(`not a block: ${ig.name}: ${ig.reason}`, { dir });
    for (const b of listing.blocks) {
      if (b.meta.minTime <= qmax && qmin < b.meta.maxTime)
        blocks.push(openBlockSync(b.dir, b.meta, opts.window ? { window: opts.window } : {}));
    }
  }
  return blocks;
}

/** The series table of the samples contract (DESIGN §3) for label sets given in series-ID order. */
export function seriesTable(all: readonly Labels[]): Table {
  const n = all.length;
  const names = new Set<string>();
  for (const l of all) for (let i = 0; i < l.length; i += 2) names.add(l[i]!);
  const sorted = [...names].sort(compareUtf8);
  const cols: Record<string, (string | null)[]> = {};
  for (const name of sorted) cols[name] = new Array<string | null>(n).fill(null);
  all.forEach((l, s) => {
    for (let i = 0; i < l.length; i += 2) cols[l[i]!]![s] = l[i + 1]!;
  });
  const seriesCols: Record<string, ReturnType<typeof makeVector>> = {
    series_id: makeVector(Uint32Array.from({ length: n }, (_, i) => i)),
  };
  for (const name of sorted) seriesCols[name] = utf8Vector(cols[name]!);
  return new Table(seriesCols);
}

/** The samples table of series `first`.. owning [offsets[i], offsets[i+1]) of `t`, `v`. */
export function samplesTable(first: number, offsets: Uint32Array, t: BigInt64Array, v: Float64Array): Table {
  const ids = new Uint32Array(t.length);
  for (let s = 0; s + 1 < offsets.length; s++) ids.fill(first + s, offsets[s], offsets[s + 1]);
  return new Table({ series_id: makeVector(ids), t: makeVector(t), v: makeVector(v) });
}

/** Turns a query result into the Arrow tables of the samples contract (DESIGN §3). */
export function toTables(r: QueryResult): { series: Table; samples: Table } {
  return { series: seriesTable(r.labels), samples: samplesTable(0, r.offsets, r.t, r.v) };
}

/**
 * Reads float samples of the selected series in a window from block or data directories, or
 * from `s3://bucket/prefix` in place (range GETs; the S3 SDK is loaded only then), into Arrow
 * tables. Histogram and other non-float chunks are skipped and counted in `warnings`.
 */
export async function readSamples(
  dirs: string | readonly string[],
  opts: ReadSamplesOptions = {},
): Promise<SamplesTables> {
  if (typeof dirs === 'string' && dirs.startsWith('s3://')) {
    const { readS3Samples } = await import('../sources/s3-inplace.js');
    return readS3Samples(dirs, opts);
  }
  const blocks = openBlocksFor(dirs, opts);
  const r = querySamples(blocks, opts);
  for (const w of r.warnings) (opts.logger ?? silentLogger).warn(w);
  return { ...toTables(r), stats: r.stats, warnings: r.warnings };
}
