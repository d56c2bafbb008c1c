import { monotonicFactory } from 'ulid';
import { crc32c } from '../reader/crc32c.js';
import { TsdbError } from '../reader/errors.js';
import type { ChunkMeta } from '../reader/index-reader.js';
import { compareLabels, compareUtf8 } from '../reader/labels.js';
import type { Labels } from '../reader/labels.js';
import { Encbuf } from './encbuf.js';
import { buildIndex } from './index-writer.js';
import type { IndexSeries } from './index-writer.js';
import { XorEncoder } from './xor-encoder.js';

/** A series to write: float samples at strictly increasing ms timestamps. */
export interface SeriesToWrite {
  labels: Readonly<Record<string, string>>;
  timestamps: ArrayLike<number>;
  /** A Float64Array keeps NaN payloads (the staleness marker, core's setStaleNaN) bit for bit. */
  values: Float64Array | ArrayLike<number>;
}

export interface BlockOptions {
  /** Each block covers one range [k·d, (k+1)·d) of this many ms (default 2 h, as promtool's backfill cuts). */
  blockDurationMs?: number;
  /** Samples per chunk at most (default 120, the count Prometheus cuts chunks at). */
  samplesPerChunk?: number;
  /** Thanos's section of meta.json: external labels and the source (e.g. "amf-foresight"). */
  thanos?: { labels: Readonly<Record<string, string>>; source?: string };
  /** The creation time the ULIDs carry (default now). */
  now?: number;
}

/** One block, encoded: the files of its directory, and what meta.json says. */
export interface EncodedBlock {
  ulid: string;
  minTime: number;
  /** Exclusive: the last sample + 1, as backfilled blocks have it. */
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  meta: string;
  index: Uint8Array;
  /** chunks/000001, chunks/000002, … */
  segments: Uint8Array[];
  tombstones: Uint8Array;
}

const HOUR = 3_600_000;
const SEGMENT_MAX = 512 * 1024 * 1024;
const SEGMENT_HEADER = [0x85, 0xbd, 0x40, 0xdd, 0x01, 0, 0, 0];
/** An empty tombstones file: magic, version 1, the CRC-32C of no entries. */
const EMPTY_TOMBSTONES = new Uint8Array([0x01, 0x30, 0xba, 0x30, 0x01, 0, 0, 0, 0]);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** With the u flag a well-formed pair is one code point: only a lone half matches (no valid UTF-8 for it). */
const LONE_SURROGATE = /\p{Surrogate}/u;

interface Prepared {
  labels: Labels;
  t: Float64Array;
  v32: Uint32Array;
}

function bad(message: string, hint: string): never {
  throw new TsdbError('TSDB_BAD_SERIES', message, { hint });
}

/** Labels sorted by name, empty values dropped (Prometheus never stores them), names and values checked. */
function labelsOf(o: Readonly<Record<string, string>>): Labels {
  const names = Object.keys(o)
    .filter((n) => o[n] !== '')
    .sort(compareUtf8);
  if (names.length === 0) bad('a series has no labels', 'give every series at least __name__');
  for (const n of names) {
    const v = o[n]!;
    if (!LABEL_NAME.test(n)) bad(`label name ${JSON.stringify(n)} is not valid`, 'names match [a-zA-Z_][a-zA-Z0-9_]*');
    if (typeof v !== 'string' || LONE_SURROGATE.test(v))
      bad(`label ${n} has a value that is not a well-formed string`, 'label values are UTF-8 text');
  }
  if (o.__name__ !== undefined && !METRIC_NAME.test(o.__name__))
    bad(`metric name ${JSON.stringify(o.__name__)} is not valid`, 'metric names match [a-zA-Z_:][a-zA-Z0-9_:]*');
  return names.flatMap((n) => [n, o[n]!]);
}

function prepare(s: SeriesToWrite): Prepared {
  const labels = labelsOf(s.labels);
  const n = s.timestamps.length;
  if (s.values.length !== n) bad(`series ${labels.join(' ')}: ${n} timestamps, ${s.values.length} values`, '');
  const t = Float64Array.from(s.timestamps);
  for (let i = 0; i < n; i++) {
    if (!Number.isSafeInteger(t[i]) || (i > 0 && t[i]! <= t[i - 1]!))
      bad(
        `series {${labels.join(' ')}}: timestamp ${t[i]} at ${i} is not an integer after ${i > 0 ? t[i - 1] : '—'}`,
        'timestamps are whole ms, strictly increasing',
      );
  }
  const v = s.values instanceof Float64Array ? s.values.slice() : Float64Array.from(s.values);
  return { labels, t, v32: new Uint32Array(v.buffer) };
}

/** The series sorted by label set; two with one label set are refused (a block holds each once). */
function prepareAll(series: readonly SeriesToWrite[]): Prepared[] {
  const out = series.map(prepare).sort((a, b) => compareLabels(a.labels, b.labels));
  for (let i = 1; i < out.length; i++)
    if (compareLabels(out[i - 1]!.labels, out[i]!.labels) === 0)
      bad(`series {${out[i]!.labels.join(' ')}} is given twice`, 'merge its samples into one series');
  return out;
}

/** A part of a series that falls in one block's range. */
interface Part {
  s: Prepared;
  start: number;
  end: number;
}

/** Parts by range start, ranges ascending; within a range, series in label order. */
function split(series: readonly Prepared[], duration: number): [number, Part[]][] {
  const ranges = new Map<number, Part[]>();
  for (const s of series) {
    let i = 0;
    while (i < s.t.length) {
      const r = Math.floor(s.t[i]! / duration) * duration;
      let j = i + 1;
      while (j < s.t.length && s.t[j]! < r + duration) j++;
      const parts = ranges.get(r);
      if (parts) parts.push({ s, start: i, end: j });
      else ranges.set(r, [{ s, start: i, end: j }]);
      i = j;
    }
  }
  return [...ranges.entries()].sort((a, b) => a[0] - b[0]);
}

/** Appends the chunk records of each part to segments (a new one before one would pass 512 MiB). */
function writeChunks(parts: readonly Part[], perChunk: number): { segments: Uint8Array[]; series: IndexSeries[] } {
  const segments: Uint8Array[] = [];
  let seg = new Encbuf(1 << 20);
  const enc = new XorEncoder();
  const series: IndexSeries[] = [];
  const record = new Encbuf(4096);
  for (const { s, start, end } of parts) {
    const chunks: ChunkMeta[] = [];
    for (let a = start; a < end; a += perChunk) {
      const b = Math.min(end, a + perChunk);
      const data = enc.encode(s.t, s.v32, a, b);
      record.len = 0;
      record.uvarint(data.length);
      const crcAt = record.len;
      record.byte(1);
      record.bytes(data);
      record.be32(crc32c(record.b, crcAt, record.len));
      if (seg.len > SEGMENT_HEADER.length && seg.len + record.len > SEGMENT_MAX) {
        segments.push(seg.view().slice());
        seg = new Encbuf(1 << 20);
      }
      if (seg.len === 0) for (const x of SEGMENT_HEADER) seg.byte(x);
      chunks.push({ mint: s.t[a]!, maxt: s.t[b - 1]!, ref: segments.length * 4294967296 + seg.len });
      seg.bytes(record.view());
    }
    series.push({ labels: s.labels, chunks });
  }
  segments.push(seg.view().slice());
  return { segments, series };
}

/** meta.json as Prometheus writes it (Go's MarshalIndent with a tab, no trailing newline). */
function metaJson(b: Omit<EncodedBlock, 'meta' | 'tombstones'>, thanos: BlockOptions['thanos']): string {
  const meta: Record<string, unknown> = {
    ulid: b.ulid,
    minTime: b.minTime,
    maxTime: b.maxTime,
    stats: b.stats,
    compaction: { level: 1, sources: [b.ulid] },
    version: 1,
  };
  if (thanos)
    meta.thanos = {
      version: 1,
      labels: thanos.labels,
      downsample: { resolution: 0 },
      source: thanos.source ?? 'amf-foresight',
      files: [
        ...b.segments.map((s, i) => ({ rel_path: segmentName(i), size_bytes: s.length })),
        { rel_path: 'index', size_bytes: b.index.length },
        { rel_path: 'meta.json' },
      ],
    };
  return JSON.stringify(meta, null, '\t');
}

/** chunks/000001 for segment 0. */
export function segmentName(i: number): string {
  return `chunks/${String(i + 1).padStart(6, '0')}`;
}

/**
 * Encodes `series` as Prometheus TSDB blocks (docs/TSDB_FORMAT.md), one a range of
 * `blockDurationMs`, yielded one at a time so a caller holds one block's bytes at once.
 * Series are checked first: valid names, whole-ms strictly increasing times, no label set twice.
 */
export function* encodeBlocks(series: readonly SeriesToWrite[], options: BlockOptions = {}): Generator<EncodedBlock> {
  const duration = options.blockDurationMs ?? 2 * HOUR;
  const perChunk = options.samplesPerChunk ?? 120;
  if (!Number.isSafeInteger(duration) || duration < 1) bad(`block duration ${duration} ms is not a whole ms ≥ 1`, '');
  if (!Number.isInteger(perChunk) || perChunk < 1 || perChunk > 65535)
    bad(`samples per chunk ${perChunk} is not within 1..65535`, '');
  for (const l of Object.keys(options.thanos?.labels ?? {}))
    if (!LABEL_NAME.test(l)) bad(`external label name ${JSON.stringify(l)} is not valid`, '');
  const newUlid = monotonicFactory();
  for (const [, parts] of split(prepareAll(series), duration)) {
    const { segments, series: entries } = writeChunks(parts, perChunk);
    const index = buildIndex(entries);
    const minTime = parts.reduce((a, p) => Math.min(a, p.s.t[p.start]!), Infinity);
    const maxTime = parts.reduce((a, p) => Math.max(a, p.s.t[p.end - 1]!), -Infinity) + 1;
    const numSamples = parts.reduce((a, p) => a + p.end - p.start, 0);
    const numChunks = entries.reduce((a, e) => a + e.chunks.length, 0);
    const block = {
      ulid: newUlid(options.now),
      minTime,
      maxTime,
      stats: { numSamples, numSeries: entries.length, numChunks },
      index,
      segments,
    };
    yield { ...block, meta: metaJson(block, options.thanos), tombstones: EMPTY_TOMBSTONES.slice() };
  }
}
