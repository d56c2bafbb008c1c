import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkReader, SEGMENT_PAD } from './chunk-reader.js';
import type { SegmentFile, SegmentSource } from './chunk-reader.js';
import { TsdbError } from './errors.js';
import { IndexReader } from './index-reader.js';
import { parseMeta } from './meta.js';
import type { BlockMeta } from './meta.js';
import { parseTombstones } from './tombstones.js';
import type { Tombstones } from './tombstones.js';

/** One opened block: meta, index in memory, chunk segments loaded on first use. */
export interface Block {
  dir: string;
  meta: BlockMeta;
  index: IndexReader;
  chunks: ChunkReader;
  tombstones: Tombstones;
}

/** The bytes of a block, for callers that hold them already (tests, object storage). */
export interface BlockBytes {
  meta: Uint8Array | string;
  index: Uint8Array;
  /** Segment files in sorted name order: bytes, loaders called on first use, or files read on demand. */
  segments: SegmentSource[];
  segmentNames?: string[];
  tombstones?: Uint8Array;
  /** Check each chunk's CRC when read (default true; the fuzzer turns it off to reach the decoder). */
  verifyChunks?: boolean;
}

/** Builds a block from bytes: the reader itself never touches the file system. */
export function blockFromBytes(bytes: BlockBytes, dir = '<memory>'): Block {
  const meta = parseMeta(bytes.meta, join(dir, 'meta.json'));
  const index = new IndexReader(bytes.index, join(dir, 'index'));
  const names = (bytes.segmentNames ?? bytes.segments.map((_, i) => `chunks/${String(i + 1).padStart(6, '0')}`)).map(
    (n) => join(dir, n),
  );
  const chunks = new ChunkReader(bytes.segments, names, bytes.verifyChunks ?? true);
  const tombstones = bytes.tombstones
    ? parseTombstones(bytes.tombstones, join(dir, 'tombstones'))
    : new Map<number, [number, number][]>();
  return { dir, meta, index, chunks, tombstones };
}

function readFile(path: string, what: string): Uint8Array {
  try {
    // Only regular files: a link to /dev/zero as `index` read until memory ran out (issue 13, finding 3).
    if (!statSync(path).isFile())
      throw new TsdbError('TSDB_NOT_A_FILE', `${what} is not a regular file`, {
        file: path,
        hint: 'a block directory holds meta.json, index, chunks/ and optionally tombstones',
      });
    return readFileSync(path);
  } catch (e) {
    if (e instanceof TsdbError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new TsdbError('TSDB_NOT_FOUND', `${what} is missing`, {
        file: path,
        hint: 'a block directory holds meta.json, index, chunks/ and optionally tombstones',
      });
    throw new TsdbError('TSDB_NOT_FOUND', `cannot read ${what}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
}

/**
 * A chunk segment on disk, read whole or chunk by chunk. Every buffer carries SEGMENT_PAD
 * zero bytes after its end, so the XOR decoder reads whole words without copying.
 */
function segmentFile(path: string): SegmentFile {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch {
    readFile(path, 'chunk segment'); // raises the typed error
    size = 0;
  }
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      const buf = new Uint8Array(length + SEGMENT_PAD);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        throw new TsdbError('TSDB_NOT_FOUND', `cannot read chunk segment: ${(e as Error).message}`, { file: path });
      }
      try {
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buf, got, length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * A segment read through a sliding window of `size` bytes: chunks read in file order (a streamed
 * query, series by series) cost one read a window, and only one window is held.
 */
export function windowedSegment(src: SegmentFile, size = 8 << 20): SegmentFile {
  let at = 0;
  let buf: Uint8Array | undefined;
  return {
    size: src.size,
    read(offset: number, length: number): Uint8Array {
      const len = Math.max(0, Math.min(length, src.size - offset));
      if (buf && offset >= at && offset + len <= at + buf.length) return buf.subarray(offset - at, offset - at + len);
      if (len > size) return src.read(offset, len);
      buf = src.read(offset, Math.min(size, src.size - offset));
      at = offset;
      return buf.subarray(0, len);
    },
  };
}

/** Reads and checks only meta.json of a block directory. */
export function readBlockMeta(dir: string): BlockMeta {
  return parseMeta(readFile(join(dir, 'meta.json'), 'meta.json'), join(dir, 'meta.json'));
}

/** Segment files of `chunks/`: names of digits only, sorted numerically (chunk refs index this list). */
export function segmentNames(dir: string): string[] {
  const cdir = join(dir, 'chunks');
  let names: string[];
  try {
    names = readdirSync(cdir);
  } catch (e) {
    throw new TsdbError('TSDB_NOT_FOUND', `chunks directory is missing: ${(e as Error).message}`, { file: cdir });
  }
  return names.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
}

/** Opens a block directory. Chunk segments are read from disk only when a chunk in them is needed. */
export async function openBlock(dir: string): Promise<Block> {
  return openBlockSync(dir);
}

/** Opens a block directory; with `window`, its segments are read through a sliding window (see windowedSegment). */
export function openBlockSync(dir: string, meta?: BlockMeta, opts: { window?: number } = {}): Block {
  const m = meta ?? readBlockMeta(dir);
  const index = readFile(join(dir, 'index'), 'index');
  const segs = segmentNames(dir);
  const tpath = join(dir, 'tombstones');
  const tomb = existsSync(tpath) ? readFile(tpath, 'tombstones') : undefined;
  const block = blockFromBytes(
    {
      meta: JSON.stringify({ ...m, version: 1 }),
      index,
      segments: segs.map((n) => {
        const f = segmentFile(join(dir, 'chunks', n));
        return opts.window ? windowedSegment(f, opts.window) : f;
      }),
      segmentNames: segs.map((n) => join('chunks', n)),
      ...(tomb ? { tombstones: tomb } : {}),
    },
    dir,
  );
  block.meta = m;
  return block;
}

export interface BlockListing {
  /** Blocks sorted by minTime, then ULID. */
  blocks: { dir: string; meta: BlockMeta }[];
  /** Entries that are not blocks, with why they were left out. */
  ignored: { name: string; reason: string }[];
}

/**
 * Lists the blocks of a Prometheus data directory or snapshot. `wal/`, `chunks_head/`, `wbl/`,
 * `*.tmp-*` leftovers and directories without meta.json (partial uploads) are not blocks.
 * A directory that is itself a block lists as that one block.
 */
export function listBlocks(dataDir: string): BlockListing {
  let st;
  try {
    st = statSync(dataDir);
  } catch {
    throw new TsdbError('TSDB_NOT_FOUND', 'directory does not exist', { file: dataDir });
  }
  if (!st.isDirectory()) throw new TsdbError('TSDB_NOT_FOUND', 'not a directory', { file: dataDir });
  if (existsSync(join(dataDir, 'index')) || existsSync(join(dataDir, 'meta.json'))) {
    // Looks like a block: it must be a whole one (meta.json is written last).
    return { blocks: [{ dir: dataDir, meta: readBlockMeta(dataDir) }], ignored: [] };
  }
  const blocks: BlockListing['blocks'] = [];
  const ignored: BlockListing['ignored'] = [];
  for (const name of readdirSync(dataDir).sort()) {
    const p = join(dataDir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'wal' || name === 'chunks_head' || name === 'wbl') {
      ignored.push({ name, reason: 'head data (WAL / head chunks), not a block' });
    } else if (name.includes('.tmp')) {
      ignored.push({ name, reason: 'leftover of an unfinished operation' });
    } else if (!existsSync(join(p, 'meta.json'))) {
      ignored.push({ name, reason: 'no meta.json (partial or not a block)' });
    } else {
      const meta = readBlockMeta(p);
      if (meta.compaction.deletable) ignored.push({ name, reason: 'marked deletable by compaction' });
      else blocks.push({ dir: p, meta });
    }
  }
  blocks.sort((a, b) => a.meta.minTime - b.meta.minTime || (a.meta.ulid < b.meta.ulid ? -1 : 1));
  return { blocks, ignored };
}
