import { crc32c } from './crc32c.js';
import { readBE32 } from './decbuf.js';
import { TsdbError } from './errors.js';

const MAGIC = 0x85bd40dd;
const TWO32 = 4294967296;

export interface RawChunk {
  encoding: number;
  /** Chunk data without its encoding byte (a view into the segment). */
  data: Uint8Array;
}

/**
 * Chunk segment files in memory (TSDB_FORMAT §4). Segment index i is the i-th file of the
 * sorted `chunks/` listing, which is how chunk references number them.
 */
export class ChunkReader {
  private readonly loaded: (Uint8Array | undefined)[];

  constructor(
    private readonly sources: (Uint8Array | (() => Uint8Array))[],
    readonly names: string[] = sources.map((_, i) => `chunks/${String(i + 1).padStart(6, '0')}`),
    /** Verify each chunk's CRC-32C as it is read. */
    readonly verify = true,
  ) {
    this.loaded = sources.map(() => undefined);
    sources.forEach((s, i) => {
      if (typeof s !== 'function') this.segment(i);
    });
  }

  get segmentCount(): number {
    return this.sources.length;
  }

  /** The bytes of segment i, loaded and header-checked on first use. */
  segment(i: number): Uint8Array {
    const have = this.loaded[i];
    if (have) return have;
    const src = this.sources[i]!;
    const s = typeof src === 'function' ? src() : src;
    const file = this.names[i]!;
    if (s.length < 8) throw new TsdbError('TSDB_TRUNCATED', `chunk segment is ${s.length} bytes, shorter than its 8-byte header`, { file, section: 'segment header', offset: 0 });
    const magic = readBE32(s, 0);
    if (magic !== MAGIC) throw new TsdbError('TSDB_BAD_MAGIC', `bad chunk segment magic 0x${magic.toString(16).padStart(8, '0')}, want 0x85bd40dd`, { file, section: 'segment header', offset: 0 });
    if (s[4] !== 1) throw new TsdbError('TSDB_BAD_VERSION', `unsupported chunk segment version ${s[4]}`, { file, section: 'segment header', offset: 4 });
    this.loaded[i] = s;
    return s;
  }

  chunk(ref: number): RawChunk {
    const seg = Math.floor(ref / TWO32);
    const off = ref - seg * TWO32;
    if (seg >= this.sources.length) {
      throw new TsdbError('TSDB_BAD_CHUNK_REF', `chunk reference ${ref} names segment ${seg}, but the block has ${this.sources.length}`, { file: 'chunks/', section: 'chunk', offset: off });
    }
    const s = this.segment(seg);
    const file = this.names[seg]!;
    if (off < 8 || off >= s.length) throw new TsdbError('TSDB_BAD_CHUNK_REF', `chunk reference offset ${off} is outside the segment (${s.length} bytes)`, { file, section: 'chunk', offset: off });
    // data_len: uvarint of at most 5 bytes.
    let p = off;
    let len = 0;
    let mul = 1;
    for (let k = 0; ; k++) {
      if (p >= s.length) throw new TsdbError('TSDB_TRUNCATED', 'chunk length runs past the segment end', { file, section: 'chunk', offset: off });
      if (k === 5) throw new TsdbError('TSDB_CORRUPT', 'chunk length uvarint longer than 5 bytes', { file, section: 'chunk', offset: off });
      const c = s[p++]!;
      len += (c & 0x7f) * mul;
      if (c < 0x80) break;
      mul *= 128;
    }
    const encAt = p;
    if (encAt + 1 + len + 4 > s.length) throw new TsdbError('TSDB_TRUNCATED', `chunk of ${len} bytes runs past the segment end`, { file, section: 'chunk', offset: off });
    if (this.verify) {
      const want = readBE32(s, encAt + 1 + len);
      const got = crc32c(s, encAt, encAt + 1 + len);
      if (want !== got) throw new TsdbError('TSDB_BAD_CRC', `chunk CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`, { file, section: 'chunk', offset: off });
    }
    return { encoding: s[encAt]!, data: s.subarray(encAt + 1, encAt + 1 + len) };
  }
}
