import type { Block } from './block.js';
import type { ChunkMeta } from './index-reader.js';
import { compareLabels, withExternalLabels } from './labels.js';
import type { Labels } from './labels.js';
import type { Matcher } from './matchers.js';
import {
  chunksInWindow,
  decodeSeries,
  newStats,
  normaliseMatchers,
  overlappingBlocks,
  queryWindow,
  skippedWarning,
} from './query.js';
import type { Part, QueryOptions, QueryStats, Window } from './query.js';
import { selectSeries } from './select.js';
import { readNumSamples } from './xor.js';

/** One batch of a streamed query: whole series, numbered on from the batches before. */
export interface SampleBatch {
  /** ID of this batch's first series (series are numbered 0.. in label order across batches). */
  firstSeriesId: number;
  labels: Labels[];
  /** Series firstSeriesId + i owns samples [offsets[i], offsets[i+1]) of this batch. */
  offsets: Uint32Array;
  t: BigInt64Array;
  v: Float64Array;
}

export interface StreamOptions extends QueryOptions {
  /** Samples a batch holds at most, unless one series alone has more (default 2^20). */
  batchSamples?: number;
  /** After each batch: block-series entries read so far, of how many the matchers select in all blocks. */
  onProgress?: (done: number, total: number) => void;
}

/** A block's matching series in ID (= label) order, one at a time. */
interface Cursor {
  block: Block;
  ids: Uint32Array;
  pos: number;
  labels: Labels | undefined;
  chunks: ChunkMeta[];
}

function advance(c: Cursor): void {
  if (c.pos >= c.ids.length) {
    c.labels = undefined;
    return;
  }
  const entry = c.block.index.series(c.ids[c.pos]!);
  c.labels = withExternalLabels(entry.labels, c.block.meta.thanos?.labels ?? {});
  c.chunks = entry.chunks;
}

/**
 * Series merged across blocks by label set, in label order: a k-way merge of the blocks' sorted
 * postings, so that only one series' chunks are held at a time.
 */
function* mergedSeries(blocks: Block[], matchers: readonly Matcher[], win: Window, stats: QueryStats) {
  const cursors: Cursor[] = blocks.map((block) => {
    const c: Cursor = { block, ids: selectSeries(block.index, matchers), pos: 0, labels: undefined, chunks: [] };
    advance(c);
    return c;
  });
  const total = cursors.reduce((a, c) => a + c.ids.length, 0);
  const done = () => cursors.reduce((a, c) => a + c.pos, 0);
  for (;;) {
    let min: Labels | undefined;
    for (const c of cursors) if (c.labels && (min === undefined || compareLabels(c.labels, min) < 0)) min = c.labels;
    if (min === undefined) return;
    const parts: Part[] = [];
    for (const c of cursors) {
      if (!c.labels || compareLabels(c.labels, min) !== 0) continue;
      const id = c.ids[c.pos]!;
      const tomb = c.block.tombstones.get(id);
      const sib = { block: c.block, id, chunks: c.chunks, tomb };
      const before = c.block.chunks.bytesRead;
      for (const chunk of chunksInWindow(c.chunks, tomb, win.qmin, win.qmax)) {
        const raw = c.block.chunks.chunk(chunk.ref);
        parts.push({ block: c.block, id, sib, chunk, encoding: raw.encoding, data: raw.data });
      }
      stats.chunkBytesRead += c.block.chunks.bytesRead - before;
      c.pos++;
      advance(c);
    }
    yield { labels: min, parts, done, total };
  }
}

/**
 * The samples of `querySamples`, in batches of whole series: the same series, order and values,
 * with memory bounded by the batch size and one series' chunks instead of the whole result.
 * Returns the query's stats and warnings when done.
 */
export function* querySampleBatches(
  blocks: readonly Block[],
  opts: StreamOptions = {},
): Generator<SampleBatch, { stats: QueryStats; warnings: string[] }> {
  const win = queryWindow(opts);
  const stats = newStats();
  const chosen = overlappingBlocks(blocks, win);
  stats.blocksQueried = chosen.length;
  const cap = opts.batchSamples ?? 1 << 20;
  let batch = newBatch(cap, 0);
  let w = 0;
  let seriesId = 0;
  const flush = () => {
    stats.samples += w;
    const out = finish(batch, w);
    batch = newBatch(Math.min(cap, batch.t.length), seriesId);
    w = 0;
    return out;
  };
  for (const s of mergedSeries(chosen, normaliseMatchers(opts.matchers), win, stats)) {
    let need = 0;
    for (const p of s.parts) if (p.encoding === 1) need += readNumSamples(p.data);
    if (w > 0 && w + need > batch.t.length) {
      opts.onProgress?.(s.done(), s.total);
      yield flush();
    }
    // A series longer than a batch gets one of its own, given back at once.
    const alone = need > cap;
    if (alone) batch = newBatch(need, seriesId);
    const start = w;
    const r = decodeSeries(s.parts, batch.out, w, win, stats);
    w = r.w;
    if (w > start || !Number.isNaN(r.skippedAt)) {
      batch.labels.push(s.labels);
      batch.offsets.push(start);
      seriesId++;
    }
    if (alone) yield flush();
  }
  if (w > 0 || batch.labels.length > 0) yield flush();
  opts.onProgress?.(1, 1);
  stats.seriesMatched = seriesId;
  return { stats, warnings: skippedWarning(stats) };
}

function newBatch(capacity: number, firstSeriesId: number) {
  const t = new BigInt64Array(capacity);
  const v = new Float64Array(capacity);
  return {
    firstSeriesId,
    t,
    v,
    out: { t32: new Int32Array(t.buffer), v32: new Uint32Array(v.buffer) },
    labels: [] as Labels[],
    offsets: [] as number[],
  };
}

function finish(b: ReturnType<typeof newBatch>, w: number): SampleBatch {
  return {
    firstSeriesId: b.firstSeriesId,
    labels: b.labels,
    offsets: Uint32Array.from([...b.offsets, w]),
    t: b.t.subarray(0, w),
    v: b.v.subarray(0, w),
  };
}
