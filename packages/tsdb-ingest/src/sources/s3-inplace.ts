import { setMaxListeners } from 'node:events';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { DataNotFoundError, parseS3Location, silentLogger } from '@amf-foresight/core';
import type { Logger } from '@amf-foresight/core';
import type { Block } from '../reader/block.js';
import { TsdbError } from '../reader/errors.js';
import { ByteRanges, planRanges } from '../reader/byte-ranges.js';
import type { Range } from '../reader/byte-ranges.js';
import { ChunkReader, FIRST_READ, recordLength } from '../reader/chunk-reader.js';
import { IndexReader, TOC_LEN, readToc } from '../reader/index-reader.js';
import type { Toc } from '../reader/index-reader.js';
import { parseSelector } from '../reader/matchers.js';
import type { Matcher } from '../reader/matchers.js';
import type { BlockMeta } from '../reader/meta.js';
import { chunksInWindow, querySamples } from '../reader/query.js';
import { toTables } from '../reader/read-samples.js';
import type { ReadSamplesOptions, SamplesTables } from '../reader/read-samples.js';
import { selectSeries } from '../reader/select.js';
import { parseTombstones } from '../reader/tombstones.js';
import { loadHeader, saveHeader } from './index-header-cache.js';
import { checkS3Options, getBytes, inspectBlock, listBlockDirs, mapLimit, normPrefix } from './s3-common.js';
import type { RemoteFile, S3Ctx, SkipStatus } from './s3-common.js';

export interface S3ReadOptions {
  bucket: string;
  /** Key prefix above the block directories (slashes optional). */
  prefix?: string;
  /** Only this block (the prototype's `block` env var). */
  block?: string;
  client?: S3Client;
  clientConfig?: S3ClientConfig;
  /** Where index headers are kept, one file per block (blocks are immutable); none: fetched every time. */
  indexHeaderDir?: string;
  /** Range GETs in flight at once (default 16). */
  concurrency?: number;
  /** Attempts per request (default 5; the SDK retries throttling on its own as well). */
  attempts?: number;
  /** Wanted ranges closer than this are fetched as one (default 32 KiB). */
  gapBytes?: number;
}

export interface TransferStats {
  /** Object GETs (whole or ranged) and their body bytes; listings are counted apart. */
  gets: number;
  bytes: number;
  lists: number;
  headerHits: number;
  headerMisses: number;
}

/** A block the listing found readable: its meta.json and files with their sizes. */
export interface RemoteBlockInfo {
  ulid: string;
  meta: BlockMeta;
  files: RemoteFile[];
}

export interface S3Listing {
  x: S3Ctx;
  blocks: RemoteBlockInfo[];
  skipped: { ulid: string; status: SkipStatus; reason: string }[];
  transfer: TransferStats;
  opts: S3ReadOptions;
}

const DEFAULT_CONCURRENCY = 16;

/** A context whose GETs are bounded to `concurrency` in flight and counted in `transfer`. */
function countingCtx(o: S3ReadOptions, log: Logger, signal: AbortSignal | undefined, t: TransferStats): S3Ctx {
  const base = o.client ?? new S3Client({ ...o.clientConfig });
  const limit = o.concurrency ?? DEFAULT_CONCURRENCY;
  // Each request in flight listens on the run's signal: more than Node's default 10 is expected, not a leak.
  if (signal) setMaxListeners(limit + 16, signal);
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string } }, opt?: unknown) => {
      while (inFlight >= limit) await new Promise<void>((r) => waiting.push(r));
      inFlight++;
      try {
        const isList = cmd.constructor.name === 'ListObjectsV2Command';
        if (isList) t.lists++;
        else t.gets++;
        const r = await (base.send as (c: unknown, o?: unknown) => Promise<unknown>)(cmd, opt);
        if (isList) return r;
        const body = (r as { Body: { transformToByteArray(): Promise<Uint8Array> } }).Body;
        const bytes = await body.transformToByteArray();
        t.bytes += bytes.length;
        return { ...(r as object), Body: { transformToByteArray: async () => bytes } };
      } finally {
        inFlight--;
        waiting.shift()?.();
      }
    },
  } as unknown as S3Client;
  return {
    client,
    bucket: o.bucket,
    prefix: normPrefix(o.prefix),
    block: o.block,
    attempts: o.attempts ?? 5,
    log,
    signal,
  };
}

/** Lists the block directories under the prefix and reads each meta.json (partial, deletion-marked ones skipped). */
export async function listS3Blocks(
  o: S3ReadOptions,
  ctx: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<S3Listing> {
  checkS3Options(o);
  const transfer: TransferStats = { gets: 0, bytes: 0, lists: 0, headerHits: 0, headerMisses: 0 };
  const x = countingCtx(o, ctx.logger ?? silentLogger, ctx.signal, transfer);
  const dirs = await listBlockDirs(x);
  const found: S3Listing = { x, blocks: [], skipped: [], transfer, opts: o };
  await mapLimit(dirs, o.concurrency ?? DEFAULT_CONCURRENCY, async (ulid) => {
    const r = await inspectBlock(x, ulid);
    if ('skipped' in r) found.skipped.push({ ulid, status: r.skipped, reason: r.reason });
    else found.blocks.push(r);
  });
  found.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || (a.ulid < b.ulid ? -1 : 1));
  if (found.blocks.length === 0)
    throw new DataNotFoundError('NO_BLOCKS', `no TSDB blocks under s3://${o.bucket}/${x.prefix}`, {
      hint: 'check --bucket and --prefix (env: bucket, prefix): blocks are <prefix>/<ULID>/meta.json',
    });
  return found;
}

/** Fetches the ranges `plan` lists of one object into `into`. */
async function fetchInto(x: S3Ctx, key: string, into: ByteRanges, plan: readonly Range[]): Promise<void> {
  await Promise.all(plan.map(async ([s, e]) => into.add(s, await getBytes(x, key, { offset: s, length: e - s }))));
}

/** The smallest section boundary of the index after `offset`: where a section that starts there ends at the latest. */
function nextBoundary(toc: Toc, size: number, offset: number, more: readonly number[] = []): number {
  let end = size - TOC_LEN;
  for (const v of [...(Object.values(toc) as number[]), ...more]) if (v > offset && v < end) end = v;
  return end;
}

/** Fetches an index's header (magic, version, TOC), then its symbol table and postings offset table. */
async function fetchHeader(x: S3Ctx, file: RemoteFile, name: string): Promise<ByteRanges> {
  const size = file.size;
  const rs = new ByteRanges(size);
  await fetchInto(
    x,
    file.key,
    rs,
    planRanges(
      rs,
      [
        [0, Math.min(5, size)],
        [Math.max(0, size - TOC_LEN), size],
      ],
      0,
    ),
  );
  const toc = readToc(rs, name);
  const sym = toc.symbols;
  const pot = toc.postingsOffsetTable;
  const want: Range[] = [
    [sym, nextBoundary(toc, size, sym)],
    [pot, nextBoundary(toc, size, pot)],
  ];
  await fetchInto(x, file.key, rs, planRanges(rs, want, 0));
  return rs;
}

/** The index with its header, from the cache or fetched (and then cached, once its CRCs are checked). */
async function openIndex(
  l: S3Listing,
  b: RemoteBlockInfo,
  file: RemoteFile,
): Promise<{ ir: IndexReader; rs: ByteRanges }> {
  const { x, transfer } = l;
  const dir = l.opts.indexHeaderDir;
  const key = { ulid: b.ulid, indexSize: file.size, etag: file.etag };
  const name = `s3://${x.bucket}/${file.key}`;
  const cached = dir === undefined ? undefined : loadHeader(dir, key);
  if (cached) {
    const rs = new ByteRanges(file.size);
    for (const r of cached.ranges) rs.add(r.start, r.bytes);
    try {
      const ir = new IndexReader(rs, name);
      transfer.headerHits++;
      return { ir, rs };
    } catch (e) {
      x.log.warn(`the cached index header of block ${b.ulid} is damaged; fetching it again: ${(e as Error).message}`);
    }
  }
  transfer.headerMisses++;
  const rs = await fetchHeader(x, file, name);
  const ir = new IndexReader(rs, name);
  if (dir !== undefined) saveHeader(dir, key, { ranges: rs.parts() });
  return { ir, rs };
}

/** The postings lists `selectSeries` will read for `matchers` (docs/TSDB_FORMAT.md §3.8), as byte ranges. */
function postingsRanges(ir: IndexReader, matchers: readonly Matcher[]): Range[] {
  const offsets: number[] = [];
  const all = () => offsets.push(...ir.postingsOffsetsWhere('', (v) => v === ''));
  if (matchers.length === 0) all();
  for (const m of matchers) {
    if (m.matches('')) {
      all();
      offsets.push(...ir.postingsOffsetsWhere(m.name, (v) => !m.matches(v)));
    } else offsets.push(...ir.postingsOffsetsWhere(m.name, (v) => m.matches(v)));
  }
  const starts = ir.allPostingsOffsets();
  const size = ir.src.size;
  return [...new Set(offsets)].map((o) => {
    // The next list's start, found by bisection, bounds this one; the last ends at a section boundary.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= o) lo = mid + 1;
      else hi = mid;
    }
    const next = lo < starts.length ? [starts[lo]!] : [];
    return [o, nextBoundary(ir.toc, size, o, next)] as Range;
  });
}

/** Bytes fetched for a series entry before its length is known; longer ones take a second GET. */
const SERIES_GUESS = 512;

/** Fetches the series entries of `ids` (ascending): a guess first, then the rest of the longer ones. */
async function fetchSeries(x: S3Ctx, key: string, ir: IndexReader, rs: ByteRanges, ids: Uint32Array, gap: number) {
  const hi = ir.toc.labelIndices;
  const guess: Range[] = [];
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]! * 16;
    const next = i + 1 < ids.length ? ids[i + 1]! * 16 : hi;
    guess.push([s, Math.min(s + SERIES_GUESS, next, hi)]);
  }
  await fetchInto(x, key, rs, planRanges(rs, guess, gap));
  const rest: Range[] = [];
  for (const [s] of guess) {
    const head = rs.view(s, 5);
    let len = 0;
    let mul = 1;
    let k = 0;
    for (; k < head.length; k++) {
      len += (head[k]! & 0x7f) * mul;
      if (head[k]! < 0x80) break;
      mul *= 128;
    }
    // A damaged length is left for the index reader to report; it is clipped to the series area here.
    rest.push([s, Math.min(hi, s + k + 1 + len + 4)]);
  }
  await fetchInto(x, key, rs, planRanges(rs, rest, gap));
}

/** One chunk segment with the ranges the wanted chunks need: a guess, then the rest of longer records. */
async function fetchChunks(x: S3Ctx, file: RemoteFile, offsets: number[], gap: number): Promise<ByteRanges> {
  const rs = new ByteRanges(file.size);
  offsets.sort((a, b) => a - b);
  const guess: Range[] = [[0, Math.min(8, file.size)]];
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    const next = i + 1 < offsets.length && offsets[i + 1]! > o ? offsets[i + 1]! : Infinity;
    guess.push([o, Math.min(o + FIRST_READ, next, file.size)]);
  }
  await fetchInto(x, file.key, rs, planRanges(rs, guess, gap));
  const rest: Range[] = [];
  for (const o of offsets) {
    const need = recordLength(rs.view(o, 6));
    if (need !== undefined) rest.push([o, Math.min(file.size, o + need)]);
  }
  await fetchInto(x, file.key, rs, planRanges(rs, rest, gap));
  return rs;
}

const TWO32 = 4294967296;

/**
 * Opens one S3 block for a query: its index header (cached), the postings the matchers need,
 * the matching series entries and the chunks they have in the window, each fetched with
 * merged range GETs. The block is then read by the same code as a local one (CRCs included).
 */
export async function openS3Block(
  l: S3Listing,
  b: RemoteBlockInfo,
  q: { minTime: number; maxTime: number; matchers: readonly Matcher[]; chunks?: boolean },
): Promise<Block> {
  const { x } = l;
  const gap = l.opts.gapBytes ?? 32 * 1024;
  const byRel = new Map(b.files.map((f) => [f.rel.split('\\').join('/'), f]));
  const dir = `s3://${x.bucket}/${x.prefix}${b.ulid}`;
  const indexFile = byRel.get('index');
  if (!indexFile) throw new TsdbError('TSDB_NOT_FOUND', 'index is missing', { file: `${dir}/index` });
  const { ir, rs } = await openIndex(l, b, indexFile);
  await fetchInto(x, indexFile.key, rs, planRanges(rs, postingsRanges(ir, q.matchers), gap));
  const ids = selectSeries(ir, q.matchers);
  await fetchSeries(x, indexFile.key, ir, rs, ids, gap);
  const tf = byRel.get('tombstones');
  const tombstones =
    tf && tf.size > 0
      ? parseTombstones(await getBytes(x, tf.key), `${dir}/tombstones`)
      : new Map<number, [number, number][]>();
  const segNames = [...byRel.keys()]
    .filter((r) => /^chunks\/\d+$/.test(r))
    .sort((a, c) => Number(a.slice(7)) - Number(c.slice(7)));
  const wanted = new Map<number, number[]>();
  // Without chunks (a listing of the series): the segments are opened with nothing fetched.
  for (const id of q.chunks === false ? [] : ids) {
    for (const c of chunksInWindow(ir.series(id).chunks, tombstones.get(id), q.minTime, q.maxTime)) {
      const seg = Math.floor(c.ref / TWO32);
      if (!wanted.has(seg)) wanted.set(seg, []);
      wanted.get(seg)!.push(c.ref - seg * TWO32);
    }
  }
  const segments = await Promise.all(segNames.map((n, i) => fetchChunks(x, byRel.get(n)!, wanted.get(i) ?? [], gap)));
  return {
    dir,
    meta: b.meta,
    index: ir,
    chunks: new ChunkReader(
      segments,
      segNames.map((n) => `${dir}/${n}`),
    ),
    tombstones,
  };
}

/** The listed blocks overlapping [minTime, maxTime], opened for the query (a few at a time). */
export async function openS3Blocks(
  l: S3Listing,
  q: { minTime?: number; maxTime?: number; matchers?: string | readonly Matcher[]; chunks?: boolean },
): Promise<Block[]> {
  const minTime = q.minTime ?? -Number.MAX_SAFE_INTEGER;
  const maxTime = q.maxTime ?? Number.MAX_SAFE_INTEGER;
  const matchers =
    q.matchers === undefined ? [] : typeof q.matchers === 'string' ? parseSelector(q.matchers) : q.matchers;
  const chosen = l.blocks.filter((b) => b.meta.minTime <= maxTime && minTime < b.meta.maxTime);
  const out: Block[] = new Array<Block>(chosen.length);
  await mapLimit(
    chosen.map((b, i) => ({ b, i })),
    4,
    async ({ b, i }) => {
      out[i] = await openS3Block(l, b, {
        minTime,
        maxTime,
        matchers,
        ...(q.chunks === false ? { chunks: false } : {}),
      });
    },
  );
  return out;
}

/**
 * `readSamples` for `s3://bucket/prefix`: the blocks are read where they lie, with range GETs
 * (see openS3Block); the result equals downloading them and reading them locally.
 */
export async function readS3Samples(
  url: string,
  opts: ReadSamplesOptions = {},
): Promise<SamplesTables & { transfer: TransferStats }> {
  const log = opts.logger ?? silentLogger;
  const listing = await listS3Blocks({ ...opts.s3, ...parseS3Location(url, { flag: 'readSamples' }) }, { logger: log });
  for (const s of listing.skipped) log.info(`block ${s.ulid} skipped: ${s.reason}`);
  const blocks = await openS3Blocks(listing, opts);
  const r = querySamples(blocks, opts);
  for (const w of r.warnings) log.warn(w);
  return { ...toTables(r), stats: r.stats, warnings: r.warnings, transfer: listing.transfer };
}
