import { crc32c } from '../reader/crc32c.js';
import type { ChunkMeta } from '../reader/index-reader.js';
import { compareUtf8 } from '../reader/labels.js';
import type { Labels } from '../reader/labels.js';
import { Encbuf } from './encbuf.js';

/** One series of the index: labels [name0, value0, …] sorted by name, chunks in time order. */
export interface IndexSeries {
  labels: Labels;
  chunks: ChunkMeta[];
}

const MAGIC = 0xbaaad700;

/** A framed section: length placeholder, body from `fill`, then the length and the CRC-32C of the body. */
function framed(e: Encbuf, fill: () => void): void {
  const at = e.len;
  e.be32(0);
  fill();
  const len = e.len - at - 4;
  e.be32At(at, len);
  e.be32(crc32c(e.b, at + 4, e.len));
}

function symbolTable(series: readonly IndexSeries[]): string[] {
  // "" is the all-postings key's name and value: Prometheus's compactor lists it too.
  const set = new Set<string>(['']);
  for (const s of series) for (const x of s.labels) set.add(x);
  return [...set].sort(compareUtf8);
}

function seriesEntry(body: Encbuf, s: IndexSeries, sym: Map<string, number>): void {
  body.len = 0;
  body.uvarint(s.labels.length / 2);
  for (const x of s.labels) body.uvarint(sym.get(x)!);
  body.uvarint(s.chunks.length);
  let prev: ChunkMeta | undefined;
  for (const c of s.chunks) {
    if (prev === undefined) {
      body.varint(c.mint);
      body.uvarint(c.maxt - c.mint);
      body.uvarint(c.ref);
    } else {
      body.uvarint(c.mint - prev.maxt);
      body.uvarint(c.maxt - c.mint);
      body.varint(c.ref - prev.ref);
    }
    prev = c;
  }
}

/** Series entries, 16-byte aligned; returns each series' id (offset / 16) and the postings by name and value. */
function writeSeries(e: Encbuf, series: readonly IndexSeries[], sym: Map<string, number>) {
  const postings = new Map<string, Map<string, number[]>>();
  const all: number[] = [];
  const body = new Encbuf(256);
  for (const s of series) {
    e.align(16);
    const id = e.len / 16;
    all.push(id);
    seriesEntry(body, s, sym);
    e.uvarintBytes(body.view());
    e.be32(crc32c(body.b, 0, body.len));
    for (let i = 0; i < s.labels.length; i += 2) {
      let byValue = postings.get(s.labels[i]!);
      if (!byValue) postings.set(s.labels[i]!, (byValue = new Map<string, number[]>()));
      const ids = byValue.get(s.labels[i + 1]!);
      if (ids) ids.push(id);
      else byValue.set(s.labels[i + 1]!, [id]);
    }
  }
  return { all, postings };
}

type Postings = Map<string, Map<string, number[]>>;

/** Legacy label indices (Prometheus < 3.7 writes them; no reader of version 2 reads them). */
function writeLabelIndices(e: Encbuf, names: string[], postings: Postings, sym: Map<string, number>) {
  const offsets: number[] = [];
  for (const name of names) {
    e.align(4);
    offsets.push(e.len);
    const values = [...postings.get(name)!.keys()].sort(compareUtf8);
    framed(e, () => {
      e.be32(1);
      e.be32(values.length);
      for (const v of values) e.be32(sym.get(v)!);
    });
  }
  return offsets;
}

function writePostingsList(e: Encbuf, ids: readonly number[]): number {
  e.align(4);
  const at = e.len;
  framed(e, () => {
    e.be32(ids.length);
    for (const id of ids) e.be32(id);
  });
  return at;
}

/**
 * The bytes of an index file (docs/TSDB_FORMAT.md §3) for `series`, which must be sorted by
 * label set and carry no duplicate: header, symbols, series, label indices, postings, label
 * offset table, postings offset table, TOC, in Prometheus 2.42's order. TOC values are the
 * positions before each stage's alignment padding, as Prometheus records them.
 */
export function buildIndex(series: readonly IndexSeries[]): Uint8Array {
  const e = new Encbuf(1 << 16);
  e.be32(MAGIC);
  e.byte(2);
  const symbols = symbolTable(series);
  const sym = new Map(symbols.map((s, i) => [s, i]));
  const toc: number[] = [e.len];
  framed(e, () => {
    e.be32(symbols.length);
    for (const s of symbols) e.uvarintString(s);
  });
  toc.push(e.len);
  const { all, postings } = writeSeries(e, series, sym);
  const names = [...postings.keys()].sort(compareUtf8);
  toc.push(e.len);
  const labelIndexAt = writeLabelIndices(e, names, postings, sym);
  toc.push(e.len);
  const entries: [string, string, number][] = [['', '', writePostingsList(e, all)]];
  for (const name of names) {
    const byValue = postings.get(name)!;
    for (const value of [...byValue.keys()].sort(compareUtf8))
      entries.push([name, value, writePostingsList(e, byValue.get(value)!)]);
  }
  const labelOffsetTable = e.len;
  framed(e, () => {
    e.be32(names.length);
    names.forEach((name, i) => {
      e.byte(1);
      e.uvarintString(name);
      e.uvarint(labelIndexAt[i]!);
    });
  });
  const postingsOffsetTable = e.len;
  framed(e, () => {
    e.be32(entries.length);
    for (const [name, value, at] of entries) {
      e.byte(2);
      e.uvarintString(name);
      e.uvarintString(value);
      e.uvarint(at);
    }
  });
  // TOC order: symbols, series, label indices, label offset table, postings, postings offset table.
  const tocAt = e.len;
  for (const x of [toc[0]!, toc[1]!, toc[2]!, labelOffsetTable, toc[3]!, postingsOffsetTable]) e.be64(x);
  e.be32(crc32c(e.b, tocAt, e.len));
  return e.view().slice();
}
