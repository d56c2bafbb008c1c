import { crc32c } from './crc32c.js';
import { Decbuf, readBE32 } from './decbuf.js';
import { TsdbError } from './errors.js';

/** A chunk of one series as the index describes it; times are inclusive, ms. */
export interface ChunkMeta {
  mint: number;
  maxt: number;
  /** (segment index << 32) | offset, as a number (segment index < 2^21). */
  ref: number;
}

export interface SeriesEntry {
  /** Label pairs sorted by name: [name0, value0, name1, value1, ...]. */
  labels: string[];
  chunks: ChunkMeta[];
}

export interface Toc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelOffsetTable: number;
  postings: number;
  postingsOffsetTable: number;
}

const MAGIC = 0xbaaad700;
export const TOC_LEN = 52;

/**
 * The bytes of an index file: the whole file in memory, or only the ranges a query fetched
 * (S3 in place). `view` returns the bytes from `offset` on, at most `length` of them: fewer
 * where the file or the held range ends.
 */
export interface IndexBytes {
  readonly size: number;
  view(offset: number, length: number): Uint8Array;
}

function wholeFile(b: Uint8Array): IndexBytes {
  return { size: b.length, view: (o, n) => b.subarray(o, Math.min(b.length, o + n)) };
}

/** Reads and checks the TOC at the end of an index (its last 52 bytes). */
export function readToc(src: IndexBytes, file: string): Toc {
  const at = src.size - TOC_LEN;
  const b = src.view(at, TOC_LEN);
  if (at < 0 || b.length < TOC_LEN)
    throw new TsdbError('TSDB_TRUNCATED', 'index TOC is missing', { file, section: 'TOC', offset: Math.max(0, at) });
  const want = readBE32(b, 48);
  const got = crc32c(b, 0, 48);
  if (want !== got)
    throw new TsdbError(
      'TSDB_BAD_CRC',
      `index TOC CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`,
      { file, section: 'TOC', offset: at },
    );
  const d = new Decbuf(b, 0, 48, file, 'TOC', at);
  const toc: Toc = {
    symbols: d.be64(),
    series: d.be64(),
    labelIndices: d.be64(),
    labelOffsetTable: d.be64(),
    postings: d.be64(),
    postingsOffsetTable: d.be64(),
  };
  for (const [k, v] of Object.entries(toc)) {
    if (v > at)
      throw new TsdbError('TSDB_CORRUPT', `TOC entry ${k} = ${v} points past the TOC at ${at}`, {
        file,
        section: 'TOC',
        offset: at,
      });
  }
  if (toc.series > toc.labelIndices)
    throw new TsdbError('TSDB_CORRUPT', `series area [${toc.series}, ${toc.labelIndices}) is reversed`, {
      file: file,
      section: 'TOC',
      offset: at,
    });
  return toc;
}

/**
 * Reader of an index file (docs/TSDB_FORMAT.md §3). Only versions 2 and 3 (read alike) are
 * supported. The legacy label indices are never parsed: the postings offset table gives the
 * label values. Construction reads the header, the TOC, the symbol table and the postings offset
 * table (Thanos's "index header"); postings lists and series entries are read when asked for.
 */
export class IndexReader {
  readonly version: number;
  readonly toc: Toc;
  readonly symbols: string[];
  readonly src: IndexBytes;
  /** label name → sorted values and the file offsets of their postings lists. */
  private readonly postingsTable = new Map<string, { values: string[]; offsets: number[] }>();

  constructor(
    b: Uint8Array | IndexBytes,
    readonly file = 'index',
  ) {
    this.src = b instanceof Uint8Array ? wholeFile(b) : b;
    const size = this.src.size;
    if (size < 5 + TOC_LEN)
      throw new TsdbError('TSDB_TRUNCATED', `index is ${size} bytes, too short for header and TOC`, {
        file,
        section: 'header',
        offset: 0,
      });
    const head = this.bytes(0, 5, 'header');
    const magic = readBE32(head, 0);
    if (magic !== MAGIC)
      throw new TsdbError(
        'TSDB_BAD_MAGIC',
        `bad index magic 0x${magic.toString(16).padStart(8, '0')}, want 0xbaaad700`,
        { file, section: 'header', offset: 0 },
      );
    this.version = head[4]!;
    if (this.version !== 2 && this.version !== 3) {
      throw new TsdbError('TSDB_BAD_VERSION', `unsupported index version ${this.version} (2 and 3 are supported)`, {
        file,
        section: 'header',
        offset: 4,
        ...(this.version === 1
          ? { hint: 'index format v1 comes from Prometheus before 2.x; compact the block with a newer Prometheus' }
          : {}),
      });
    }
    this.toc = readToc(this.src, file);
    this.symbols = this.readSymbols();
    this.readPostingsOffsetTable();
  }

  /** Exactly `length` bytes at `offset`, or TSDB_TRUNCATED naming the section. */
  private bytes(offset: number, length: number, section: string): Uint8Array {
    const v = this.src.view(offset, length);
    if (v.length < length)
      throw new TsdbError('TSDB_TRUNCATED', `${section} of ${length} bytes runs past the end of the index`, {
        file: this.file,
        section,
        offset,
      });
    return v;
  }

  /** Opens a framed section (`len:BE32 body crc:BE32`), checks its CRC, returns a cursor over the body. */
  private framed(offset: number, section: string): Decbuf {
    const limit = this.src.size - TOC_LEN;
    if (offset + 4 > limit)
      throw new TsdbError('TSDB_TRUNCATED', `${section} starts past the end of the index`, {
        file: this.file,
        section,
        offset,
      });
    const len = readBE32(this.bytes(offset, 4, section), 0);
    const start = offset + 4;
    if (start + len + 4 > limit)
      throw new TsdbError('TSDB_TRUNCATED', `${section} of ${len} bytes runs past the end of the index`, {
        file: this.file,
        section,
        offset,
      });
    const b = this.bytes(start, len + 4, section);
    const want = readBE32(b, len);
    const got = crc32c(b, 0, len);
    if (want !== got)
      throw new TsdbError(
        'TSDB_BAD_CRC',
        `${section} CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`,
        { file: this.file, section, offset },
      );
    return new Decbuf(b, 0, len, this.file, section, start);
  }

  private readSymbols(): string[] {
    const d = this.framed(this.toc.symbols, 'symbol table');
    const count = d.be32();
    // Each symbol takes at least one byte: a count beyond the body is damage, not a big table.
    if (count > d.end - d.pos) d.corrupt(`symbol count ${count} exceeds the table's ${d.end - d.pos} bytes`);
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) out[i] = d.uvarintString();
    return out;
  }

  private readPostingsOffsetTable(): void {
    const d = this.framed(this.toc.postingsOffsetTable, 'postings offset table');
    const count = d.be32();
    if (count > d.end - d.pos) d.corrupt(`postings offset table count ${count} exceeds its size`);
    for (let i = 0; i < count; i++) {
      const at = d.pos;
      const keys = d.uvarint();
      if (keys !== 2) d.corrupt(`postings offset entry has ${keys} keys, want 2`, at);
      const name = d.uvarintString();
      const value = d.uvarintString();
      const offset = d.uvarint();
      let e = this.postingsTable.get(name);
      if (!e) this.postingsTable.set(name, (e = { values: [], offsets: [] }));
      e.values.push(value);
      e.offsets.push(offset);
    }
  }

  /** Label names present in the block (the all-postings key "" excluded). */
  labelNames(): string[] {
    return [...this.postingsTable.keys()].filter((n) => n !== '');
  }

  labelValues(name: string): readonly string[] {
    return this.postingsTable.get(name)?.values ?? [];
  }

  /** Sorted series IDs for name=value; empty when the pair does not occur. */
  postings(name: string, value: string): Uint32Array {
    const e = this.postingsTable.get(name);
    if (!e) return new Uint32Array(0);
    const i = e.values.indexOf(value);
    return i < 0 ? new Uint32Array(0) : this.postingsAt(e.offsets[i]!, `postings of ${name}=${JSON.stringify(value)}`);
  }

  /** Every series of the block, sorted by label set. */
  allPostings(): Uint32Array {
    return this.postings('', '');
  }

  /** The postings lists of `name` whose value satisfies `pred`, one per value. */
  postingsWhere(name: string, pred: (value: string) => boolean): Uint32Array[] {
    const e = this.postingsTable.get(name);
    if (!e) return [];
    const out: Uint32Array[] = [];
    for (let i = 0; i < e.values.length; i++) {
      if (pred(e.values[i]!))
        out.push(this.postingsAt(e.offsets[i]!, `postings of ${name}=${JSON.stringify(e.values[i])}`));
    }
    return out;
  }

  /** File offsets of the postings lists `postingsWhere(name, pred)` reads, ascending. */
  postingsOffsetsWhere(name: string, pred: (value: string) => boolean): number[] {
    const e = this.postingsTable.get(name);
    if (!e) return [];
    return e.offsets.filter((_, i) => pred(e.values[i]!)).sort((a, b) => a - b);
  }

  /** Every postings list's offset, ascending: where each list ends at the latest. */
  allPostingsOffsets(): number[] {
    const all: number[] = [];
    for (const e of this.postingsTable.values()) all.push(...e.offsets);
    return all.sort((a, b) => a - b);
  }

  private postingsAt(offset: number, section: string): Uint32Array {
    const d = this.framed(offset, section);
    const n = d.be32();
    if (d.end - d.pos !== n * 4) d.corrupt(`postings list claims ${n} entries in ${d.end - d.pos} bytes`);
    const out = new Uint32Array(n);
    const b = d.b;
    let p = d.pos;
    let prev = -1;
    for (let i = 0; i < n; i++, p += 4) {
      const id = readBE32(b, p);
      if (id <= prev) d.corrupt(`postings list is not strictly increasing at entry ${i}`, p);
      out[i] = prev = id;
    }
    return out;
  }

  /** Decodes the series entry with this ID (offset / 16): labels and chunk metas. */
  series(id: number): SeriesEntry {
    const offset = id * 16;
    const section = `series ${id}`;
    const { series: lo, labelIndices: hi } = this.toc;
    if (offset < lo || offset >= hi)
      throw new TsdbError(
        'TSDB_CORRUPT',
        `series ref ${id} (offset ${offset}) is outside the series area [${lo}, ${hi})`,
        { file: this.file, section, offset },
      );
    const hb = this.src.view(offset, Math.min(10, hi - offset));
    const head = new Decbuf(hb, 0, hb.length, this.file, section, offset);
    const len = head.uvarint();
    if (head.pos > 5) head.corrupt('series length uvarint longer than 5 bytes', 0);
    const start = offset + head.pos;
    if (start + len + 4 > hi)
      throw new TsdbError('TSDB_TRUNCATED', `series entry of ${len} bytes runs past the series area`, {
        file: this.file,
        section,
        offset,
      });
    const b = this.bytes(start, len + 4, section);
    const want = readBE32(b, len);
    const got = crc32c(b, 0, len);
    if (want !== got)
      throw new TsdbError(
        'TSDB_BAD_CRC',
        `series entry CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`,
        { file: this.file, section, offset },
      );
    const d = new Decbuf(b, 0, len, this.file, section, start);
    const nl = d.uvarint();
    if (nl * 2 > len) d.corrupt(`series claims ${nl} labels in ${len} bytes`);
    const syms = this.symbols;
    const labels = new Array<string>(nl * 2);
    for (let i = 0; i < nl * 2; i++) {
      const at = d.pos;
      const ref = d.uvarint32();
      const s = syms[ref];
      if (s === undefined) return d.corrupt(`symbol reference ${ref} out of range (${syms.length} symbols)`, at);
      labels[i] = s;
    }
    const nc = d.uvarint();
    if (nc * 3 > d.end - d.pos) d.corrupt(`series claims ${nc} chunks in ${d.end - d.pos} bytes`);
    const chunks = new Array<ChunkMeta>(nc);
    let mint = 0;
    let maxt = 0;
    let ref = 0;
    for (let i = 0; i < nc; i++) {
      if (i === 0) {
        mint = d.varint();
        maxt = mint + d.uvarint();
        ref = d.uvarint();
      } else {
        mint = maxt + d.uvarint();
        maxt = mint + d.uvarint();
        ref += d.varint();
      }
      if (ref < 0) d.corrupt(`negative chunk reference ${ref}`);
      chunks[i] = { mint, maxt, ref };
    }
    if (d.pos !== d.end) d.corrupt(`series entry has ${d.end - d.pos} unread bytes`);
    return { labels, chunks };
  }
}
