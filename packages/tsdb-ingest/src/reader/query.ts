import type { Block } from './block.js';
import { TsdbError } from './errors.js';
import type { ChunkMeta } from './index-reader.js';
import { compareLabels, withExternalLabels } from './labels.js';
import type { Labels } from './labels.js';
import { parseSelector } from './matchers.js';
import type { Matcher } from './matchers.js';
import { chunkIntervals242, deletedIterator242, seriesIntervals242 } from './promtool242.js';
import type { Interval } from './promtool242.js';
import { selectSeries } from './select.js';
import { decodeXor, readNumSamples } from './xor.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('@amf-foresight/tsdb-ingest assumes a little-endian platform (int64/float64 halves)');
}

const TWO32 = 4294967296;
export const ENCODING_NAMES: Record<number, string> = {
  1: 'XOR',
  2: 'histogram',
  3: 'floathistogram',
  4: 'XOR2',
  5: 'histogramST',
  6: 'floathistogramST',
  255: 'Thanos aggregate',
};

export interface QueryOptions {
  /** Inclusive lower bound, ms (default: no bound). */
  minTime?: number;
  /** Inclusive upper bound, ms (default: no bound). */
  maxTime?: number;
  /** A PromQL selector or parsed matchers; all series when absent. */
  matchers?: string | readonly Matcher[];
  /**
   * Apply the window to tombstoned series the way Prometheus 2.42 does (which lets some
   * samples before `minTime` through, see promtool242.ts). Only for `tsdb dump` parity.
   */
  promtool242?: boolean;
  /** Called after each block is read, with how many of the overlapping blocks are done. */
  onBlock?: (done: number, total: number) => void;
}

export interface QueryStats {
  blocksQueried: number;
  seriesMatched: number;
  chunksDecoded: number;
  /** Chunks of encodings this reader does not decode, by encoding name. */
  chunksSkipped: Record<string, number>;
  /** Samples in skipped chunks (from their headers). */
  samplesSkipped: number;
  samples: number;
  /** Bytes read from chunk segment files by this query. */
  chunkBytesRead: number;
}

/** Float samples of every selected series, merged across blocks, in one set of columns. */
export interface QueryResult {
  /** Per series, sorted by label set. */
  labels: Labels[];
  /** Series i owns samples [offsets[i], offsets[i+1]). */
  offsets: Uint32Array;
  t: BigInt64Array;
  v: Float64Array;
  /**
   * Per series: time of the first sample in a skipped (histogram or other) chunk within the
   * window, or NaN. Prometheus 2.42's dump stops printing a series there.
   */
  firstSkipped: Float64Array;
  stats: QueryStats;
  warnings: string[];
}

/** One series of one block, with its deletions. */
export interface SeriesInBlock {
  block: Block;
  id: number;
  chunks: ChunkMeta[];
  tomb: [number, number][] | undefined;
  iv242?: Interval[];
}

export interface Part {
  block: Block;
  id: number;
  sib: SeriesInBlock;
  chunk: ChunkMeta;
  encoding: number;
  data: Uint8Array;
}

export function normaliseMatchers(m: QueryOptions['matchers']): readonly Matcher[] {
  if (m === undefined) return [];
  return typeof m === 'string' ? parseSelector(m) : m;
}

type Merged = Map<string, { labels: Labels; parts: Part[] }>;
export type Out = { t32: Int32Array; v32: Uint32Array };
export interface Window {
  qmin: number;
  qmax: number;
  promtool242: boolean;
}

/** The chunks of a series a query of [qmin, qmax] reads: those overlapping it, but not inside one deleted interval. */
export function chunksInWindow(
  chunks: readonly ChunkMeta[],
  tomb: readonly [number, number][] | undefined,
  qmin: number,
  qmax: number,
): ChunkMeta[] {
  return chunks.filter((c) => !(c.maxt < qmin || c.mint > qmax) && !tomb?.some(([a, b]) => c.mint >= a && c.maxt <= b));
}

/** The chunks one block holds for the selected series in the window, merged by label set into `merged`. */
function gatherBlock(block: Block, matchers: readonly Matcher[], win: Window, merged: Merged, stats: QueryStats): void {
  const { qmin, qmax } = win;
  const external = block.meta.thanos?.labels ?? {};
  // First the series and the chunks they need; chunk bytes are read once all refs are known.
  const wanted: { key: string; labels: Labels; sib: SeriesInBlock; chunk: ChunkMeta }[] = [];
  for (const id of selectSeries(block.index, matchers)) {
    const entry = block.index.series(id);
    const tomb = block.tombstones.get(id);
    const sib: SeriesInBlock = { block, id, chunks: entry.chunks, tomb };
    let labels: Labels | undefined;
    let key = '';
    for (const c of chunksInWindow(entry.chunks, tomb, qmin, qmax)) {
      if (labels === undefined) {
        labels = withExternalLabels(entry.labels, external);
        key = labels.join('\xff');
      }
      wanted.push({ key, labels, sib, chunk: c });
    }
  }
  const before = block.chunks.bytesRead;
  block.chunks.plan(wanted.map((w) => w.chunk.ref));
  let m: { labels: Labels; parts: Part[] } | undefined;
  let lastKey: string | undefined;
  for (const { key, labels, sib, chunk } of wanted) {
    const raw = block.chunks.chunk(chunk.ref);
    if (key !== lastKey) {
      m = merged.get(key);
      lastKey = key;
    }
    if (!m) merged.set(key, (m = { labels, parts: [] }));
    m.parts.push({ block, id: sib.id, sib, chunk, encoding: raw.encoding, data: raw.data });
  }
  stats.chunkBytesRead += block.chunks.bytesRead - before;
}

/**
 * Decodes one series' chunks to `out` from index w, applying the window and deletions; returns the
 * new end and the time of its first skipped (non-float) chunk, or NaN.
 */
export function decodeSeries(
  parts: Part[],
  out: Out,
  w: number,
  win: Window,
  stats: QueryStats,
): { w: number; skippedAt: number } {
  const start = w;
  let skippedAt = NaN;
  parts.sort((a, b) => a.chunk.mint - b.chunk.mint);
  let overlapping = false;
  for (let i = 1; i < parts.length; i++) if (parts[i]!.chunk.mint <= parts[i - 1]!.chunk.maxt) overlapping = true;
  for (const p of parts) {
    if (p.encoding !== 1) {
      const name = ENCODING_NAMES[p.encoding] ?? `encoding ${p.encoding}`;
      stats.chunksSkipped[name] = (stats.chunksSkipped[name] ?? 0) + 1;
      stats.samplesSkipped += p.encoding >= 1 && p.encoding <= 4 ? readNumSamples(p.data) : 0;
      const at = Math.max(p.chunk.mint, win.qmin);
      if (!(skippedAt <= at)) skippedAt = at;
      continue;
    }
    const r = decodeXor(p.data, out, w);
    if (!r.ok) {
      throw new TsdbError('TSDB_CORRUPT', `XOR chunk cannot be decoded: ${r.error} (bit ${r.bitPos})`, {
        file: p.block.dir,
        section: `chunk ${p.chunk.ref} of series ${p.id}`,
      });
    }
    stats.chunksDecoded++;
    const tomb = p.sib.tomb;
    if (tomb !== undefined && win.promtool242) {
      p.sib.iv242 ??= seriesIntervals242(tomb, p.sib.chunks, win.qmin, win.qmax);
      const iv = chunkIntervals242(p.sib.iv242, p.chunk.mint, p.chunk.maxt);
      w = iv.length === 0 ? w + r.n : keepIf(out, w, r.n, deletedIterator242(iv));
    } else if (p.chunk.mint < win.qmin || p.chunk.maxt > win.qmax || tomb !== undefined) {
      w = keepWhere(out, w, r.n, win.qmin, win.qmax, tomb);
    } else {
      w += r.n;
    }
  }
  if (overlapping) w = start + sortDedupe(out, start, w);
  return { w, skippedAt };
}

export function skippedWarning(stats: QueryStats): string[] {
  const skipped = Object.entries(stats.chunksSkipped);
  if (skipped.length === 0) return [];
  return [
    `skipped ${skipped.map(([k, n]) => `${n} ${k} chunk${n === 1 ? '' : 's'}`).join(', ')} ` +
      `(${stats.samplesSkipped} samples): only float (XOR) samples are read`,
  ];
}

/**
 * Reads the float samples of the selected series from `blocks` (docs/TSDB_FORMAT.md §3.8, §10):
 * postings select the series, only chunks overlapping the window are read and decoded,
 * tombstones are applied, series are merged across blocks by label set, and samples of
 * overlapping blocks are merged by time with duplicate timestamps dropped (first kept).
 */
export function queryWindow(opts: QueryOptions): Window {
  return {
    qmin: opts.minTime ?? -Number.MAX_SAFE_INTEGER,
    qmax: opts.maxTime ?? Number.MAX_SAFE_INTEGER,
    promtool242: Boolean(opts.promtool242),
  };
}

export function newStats(): QueryStats {
  return {
    blocksQueried: 0,
    seriesMatched: 0,
    chunksDecoded: 0,
    chunksSkipped: {},
    samplesSkipped: 0,
    samples: 0,
    chunkBytesRead: 0,
  };
}

/** The blocks overlapping the window, by minTime then ULID (the order duplicates are resolved in). */
export function overlappingBlocks(blocks: readonly Block[], win: Window): Block[] {
  const ordered = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime || (a.meta.ulid < b.meta.ulid ? -1 : 1));
  return ordered.filter((b) => b.meta.minTime <= win.qmax && win.qmin < b.meta.maxTime);
}

export function querySamples(blocks: readonly Block[], opts: QueryOptions = {}): QueryResult {
  const win = queryWindow(opts);
  const matchers = normaliseMatchers(opts.matchers);
  const stats = newStats();
  const merged: Merged = new Map();
  const overlapping = overlappingBlocks(blocks, win);
  for (const block of overlapping) {
    if (stats.blocksQueried > 0) opts.onBlock?.(stats.blocksQueried, overlapping.length);
    stats.blocksQueried++;
    gatherBlock(block, matchers, win, merged, stats);
  }
  if (overlapping.length > 0) opts.onBlock?.(overlapping.length, overlapping.length);

  const series = [...merged.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  let capacity = 0;
  for (const s of series) for (const p of s.parts) if (p.encoding === 1) capacity += readNumSamples(p.data);
  const tbuf = new BigInt64Array(capacity);
  const vbuf = new Float64Array(capacity);
  const out: Out = { t32: new Int32Array(tbuf.buffer), v32: new Uint32Array(vbuf.buffer) };
  const offsets = new Uint32Array(series.length + 1);
  const firstSkipped = new Float64Array(series.length).fill(NaN);
  const labels: Labels[] = [];
  let w = 0;
  let si = 0;
  for (const s of series) {
    const start = w;
    const r = decodeSeries(s.parts, out, w, win, stats);
    w = r.w;
    // A series with no float sample in the window is left out, unless a skipped chunk stands there.
    if (w > start || !Number.isNaN(r.skippedAt)) {
      labels.push(s.labels);
      offsets[si] = start;
      firstSkipped[si] = r.skippedAt;
      si++;
    }
  }
  offsets[si] = w;
  stats.seriesMatched = si;
  stats.samples = w;
  return {
    labels,
    offsets: offsets.subarray(0, si + 1),
    t: tbuf.subarray(0, w),
    v: vbuf.subarray(0, w),
    firstSkipped: firstSkipped.subarray(0, si),
    stats,
    warnings: skippedWarning(stats),
  };
}

function tAt(t32: Int32Array, i: number): number {
  return t32[2 * i + 1]! * TWO32 + (t32[2 * i]! >>> 0);
}

/** Compacts the n samples at `at` to those inside [qmin, qmax] and not deleted; returns the new end. */
function keepWhere(
  out: { t32: Int32Array; v32: Uint32Array },
  at: number,
  n: number,
  qmin: number,
  qmax: number,
  tomb: [number, number][] | undefined,
): number {
  const { t32, v32 } = out;
  let w = at;
  for (let i = at; i < at + n; i++) {
    const t = tAt(t32, i);
    if (t < qmin || t > qmax) continue;
    if (tomb !== undefined && tomb.some(([a, b]) => t >= a && t <= b)) continue;
    if (w !== i) {
      t32[2 * w] = t32[2 * i]!;
      t32[2 * w + 1] = t32[2 * i + 1]!;
      v32[2 * w] = v32[2 * i]!;
      v32[2 * w + 1] = v32[2 * i + 1]!;
    }
    w++;
  }
  return w;
}

/** Compacts the n samples at `at` to those whose timestamp passes `keep` (called in order). */
function keepIf(
  out: { t32: Int32Array; v32: Uint32Array },
  at: number,
  n: number,
  keep: (t: number) => boolean,
): number {
  const { t32, v32 } = out;
  let w = at;
  for (let i = at; i < at + n; i++) {
    if (!keep(tAt(t32, i))) continue;
    if (w !== i) {
      t32[2 * w] = t32[2 * i]!;
      t32[2 * w + 1] = t32[2 * i + 1]!;
      v32[2 * w] = v32[2 * i]!;
      v32[2 * w + 1] = v32[2 * i + 1]!;
    }
    w++;
  }
  return w;
}

/** Sorts samples [start, end) by time (stable) and drops repeated timestamps, keeping the first. */
function sortDedupe(out: { t32: Int32Array; v32: Uint32Array }, start: number, end: number): number {
  const { t32, v32 } = out;
  const n = end - start;
  const idx = Array.from({ length: n }, (_, i) => start + i);
  const ts = idx.map((i) => tAt(t32, i));
  const order = idx.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
  const t2 = new Int32Array(2 * n);
  const v2 = new Uint32Array(2 * n);
  let w = 0;
  let last = NaN;
  for (const k of order) {
    if (ts[k] === last) continue;
    last = ts[k]!;
    const i = start + k;
    t2[2 * w] = t32[2 * i]!;
    t2[2 * w + 1] = t32[2 * i + 1]!;
    v2[2 * w] = v32[2 * i]!;
    v2[2 * w + 1] = v32[2 * i + 1]!;
    w++;
  }
  t32.set(t2.subarray(0, 2 * w), 2 * start);
  v32.set(v2.subarray(0, 2 * w), 2 * start);
  return w;
}
