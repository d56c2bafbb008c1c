import { crc32c } from './crc32c.js';
import { readBE32 } from './decbuf.js';
import { TsdbError } from './errors.js';

const MAGIC = 0x85bd40dd;
const TWO32 = 4294967296;
/** Spare bytes after every buffer handed to the XOR decoder (see xor.ts). */
export const SEGMENT_PAD = 16;

export interface RawChunk {
  encoding: number;
  /** Chunk data without its encoding byte (a view into the segment). */
  data: Uint8Array;
}

/** A segment file read on demand: whole, or chunk by chunk when few of its chunks are needed. */
export interface SegmentFile {
  readonly size: number;
  /** Only some ranges are held (S3 in place): never read it whole. */
  readonly ranged?: boolean;
  /** `length` bytes at `offset`, in an array with SEGMENT_PAD spare bytes after them. */
  read(offset: number, length: number): Uint8Array;
}

export type SegmentSource = Uint8Array | (() => Uint8Array) | SegmentFile;

/** Below this share of a segment's bytes, wanted chunks are read one by one. */
const PARTIAL_SHARE = 0.25;
/** Bytes read for a chunk record before its length is known (2.42 chunks are ~100–1100 bytes). */
export const FIRST_READ = 1536;

/**
 * Chunk segment files (docs/TSDB_FORMAT.md §4). Segment index i is the i-th file of the sorted
 * `chunks/` listing, which is how chunk references number them. Segments are read only when
 * a chunk in them is needed: whole when many of their chunks are, else chunk by chunk.
 */
export class ChunkReader {
  private readonly loaded: (Uint8Array | undefined)[];
  private readonly headerChecked: boolean[];
  /** Bytes read from segment sources so far. */
  bytesRead = 0;

  constructor(
    private readonly sources: SegmentSource[],
    readonly names: string[] = sources.map((_, i) => `chunks/${String(i + 1).padStart(6, '0')}`),
    /** Verify each chunk's CRC-32C as it is read. */
    readonly verify = true,
  ) {
    this.loaded = sources.map(() => undefined);
    this.headerChecked = sources.map(() => false);
    sources.forEach((s, i) => {
      if (s instanceof Uint8Array) this.segment(i);
    });
  }

  get segmentCount(): number {
    return this.sources.length;
  }

  /** The whole of segment i, read and header-checked on first use. */
  segment(i: number): Uint8Array {
    const have = this.loaded[i];
    if (have) return have;
    const src = this.sources[i]!;
    const s = src instanceof Uint8Array ? src : typeof src === 'function' ? src() : src.read(0, src.size);
    if (!(src instanceof Uint8Array)) this.bytesRead += s.length;
    this.checkHeader(i, s);
    this.loaded[i] = s;
    return s;
  }

  private checkHeader(i: number, s: Uint8Array): void {
    const file = this.names[i]!;
    if (s.length < 8)
      throw new TsdbError('TSDB_TRUNCATED', `chunk segment is ${s.length} bytes, shorter than its 8-byte header`, {
        file,
        section: 'segment header',
        offset: 0,
      });
    const magic = readBE32(s, 0);
    if (magic !== MAGIC)
      throw new TsdbError(
        'TSDB_BAD_MAGIC',
        `bad chunk segment magic 0x${magic.toString(16).padStart(8, '0')}, want 0x85bd40dd`,
        { file, section: 'segment header', offset: 0 },
      );
    if (s[4] !== 1)
      throw new TsdbError('TSDB_BAD_VERSION', `unsupported chunk segment version ${s[4]}`, {
        file,
        section: 'segment header',
        offset: 4,
      });
    this.headerChecked[i] = true;
  }

  /**
   * Tells the reader which chunks are about to be read, so that segments holding many of
   * them are read whole (one sequential read) and the others chunk by chunk.
   */
  plan(refs: Iterable<number>): void {
    const counts = new Map<number, number>();
    for (const ref of refs) {
      const seg = Math.floor(ref / TWO32);
      counts.set(seg, (counts.get(seg) ?? 0) + 1);
    }
    for (const [seg, n] of counts) {
      const src = this.sources[seg];
      if (src === undefined || this.loaded[seg] || src instanceof Uint8Array || typeof src === 'function') continue;
      if (src.ranged) continue;
      if (n * FIRST_READ >= src.size * PARTIAL_SHARE) this.segment(seg);
    }
  }

  chunk(ref: number): RawChunk {
    const seg = Math.floor(ref / TWO32);
    const off = ref - seg * TWO32;
    if (seg >= this.sources.length) {
      throw new TsdbError(
        'TSDB_BAD_CHUNK_REF',
        `chunk reference ${ref} names segment ${seg}, but the block has ${this.sources.length}`,
        { file: 'chunks/', section: 'chunk', offset: off },
      );
    }
    const src = this.sources[seg]!;
    const whole = this.loaded[seg];
    if (whole) return this.record(whole, 0, whole.length, seg, off);
    if (src instanceof Uint8Array || typeof src === 'function') {
      const s = this.segment(seg);
      return this.record(s, 0, s.length, seg, off);
    }
    // Chunk by chunk: the header once, then the record (a second read if it is longer).
    if (!this.headerChecked[seg]) {
      const h = src.read(0, Math.min(8, src.size));
      this.bytesRead += h.length;
      this.checkHeader(seg, h);
    }
    if (off < 8 || off >= src.size)
      throw new TsdbError(
        'TSDB_BAD_CHUNK_REF',
        `chunk reference offset ${off} is outside the segment (${src.size} bytes)`,
        { file: this.names[seg]!, section: 'chunk', offset: off },
      );
    let len = Math.min(FIRST_READ, src.size - off);
    let buf = src.read(off, len);
    this.bytesRead += buf.length;
    const need = recordLength(buf);
    if (need !== undefined && need > len && off + need <= src.size) {
      len = need;
      buf = src.read(off, len);
      this.bytesRead += buf.length;
    }
    return this.record(buf, off, src.size, seg, 0);
  }

  /** Parses the chunk record at `at` of `s`, whose byte 0 is file offset `base`; `fileSize` bounds it. */
  private record(s: Uint8Array, base: number, fileSize: number, seg: number, at: number): RawChunk {
    const file = this.names[seg]!;
    const off = base + at;
    if (off < 8 || off >= fileSize)
      throw new TsdbError(
        'TSDB_BAD_CHUNK_REF',
        `chunk reference offset ${off} is outside the segment (${fileSize} bytes)`,
        { file, section: 'chunk', offset: off },
      );
    // data_len: uvarint of at most 5 bytes.
    let p = at;
    let len = 0;
    let mul = 1;
    for (let k = 0; ; k++) {
      if (p >= s.length)
        throw new TsdbError('TSDB_TRUNCATED', 'chunk length runs past the segment end', {
          file,
          section: 'chunk',
          offset: off,
        });
      if (k === 5)
        throw new TsdbError('TSDB_CORRUPT', 'chunk length uvarint longer than 5 bytes', {
          file,
          section: 'chunk',
          offset: off,
        });
      const c = s[p++]!;
      len += (c & 0x7f) * mul;
      if (c < 0x80) break;
      mul *= 128;
    }
    const encAt = p;
    if (encAt + 1 + len + 4 > s.length)
      throw new TsdbError('TSDB_TRUNCATED', `chunk of ${len} bytes runs past the segment end`, {
        file,
        section: 'chunk',
        offset: off,
      });
    if (this.verify) {
      const want = readBE32(s, encAt + 1 + len);
      const got = crc32c(s, encAt, encAt + 1 + len);
      if (want !== got)
        throw new TsdbError(
          'TSDB_BAD_CRC',
          `chunk CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`,
          { file, section: 'chunk', offset: off },
        );
    }
    return { encoding: s[encAt]!, data: s.subarray(encAt + 1, encAt + 1 + len) };
  }
}

/** Total bytes of the chunk record starting at b[0] (length, encoding, data, CRC), if readable. */
export function recordLength(b: Uint8Array): number | undefined {
  let len = 0;
  let mul = 1;
  for (let k = 0; k < 5 && k < b.length; k++) {
    const c = b[k]!;
    len += (c & 0x7f) * mul;
    if (c < 0x80) return k + 1 + 1 + len + 4;
    mul *= 128;
  }
  return undefined;
}
