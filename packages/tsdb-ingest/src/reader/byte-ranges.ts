import { SEGMENT_PAD } from './chunk-reader.js';
import type { SegmentFile } from './chunk-reader.js';
import type { IndexBytes } from './index-reader.js';

/** A half-open byte range [start, end) of a file. */
export type Range = [start: number, end: number];

/**
 * The ranges of one file that a query fetched, readable as an index or a chunk segment.
 * Invariants: ranges are sorted, disjoint and never adjacent (adding merges them), and every
 * buffer has SEGMENT_PAD spare bytes after its end for the XOR decoder.
 */
export class ByteRanges implements IndexBytes, SegmentFile {
  readonly ranged = true;
  private starts: number[] = [];
  private bufs: Uint8Array[] = [];

  constructor(readonly size: number) {}

  /** Bytes held. */
  get held(): number {
    return this.bufs.reduce((a, b) => a + b.length, 0);
  }

  /** The held ranges, in order. */
  parts(): { start: number; bytes: Uint8Array }[] {
    return this.starts.map((start, i) => ({ start, bytes: this.bufs[i]! }));
  }

  /** Holds `bytes` as the file's bytes from `start`, merged with the ranges they touch. */
  add(start: number, bytes: Uint8Array): void {
    let lo = start;
    let hi = start + bytes.length;
    const touching: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i]!;
      const e = s + this.bufs[i]!.length;
      if (e >= lo && s <= hi) touching.push(i);
    }
    for (const i of touching) {
      lo = Math.min(lo, this.starts[i]!);
      hi = Math.max(hi, this.starts[i]! + this.bufs[i]!.length);
    }
    const all = new Uint8Array(hi - lo + SEGMENT_PAD);
    for (const i of touching) all.set(this.bufs[i]!, this.starts[i]! - lo);
    all.set(bytes, start - lo);
    const at = touching.length > 0 ? touching[0]! : this.insertionPoint(lo);
    this.starts.splice(at, touching.length, lo);
    this.bufs.splice(at, touching.length, all.subarray(0, hi - lo));
  }

  private insertionPoint(offset: number): number {
    let i = 0;
    while (i < this.starts.length && this.starts[i]! < offset) i++;
    return i;
  }

  /** The index of the range holding `offset`, or -1. */
  private find(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.starts[mid]!;
      if (offset < s) hi = mid - 1;
      else if (offset >= s + this.bufs[mid]!.length) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Bytes from `offset`, at most `length`: fewer where the held range ends, none when not held. */
  view(offset: number, length: number): Uint8Array {
    const i = this.find(offset);
    if (i < 0) return new Uint8Array(0);
    const b = this.bufs[i]!;
    const at = offset - this.starts[i]!;
    return b.subarray(at, Math.min(b.length, at + length));
  }

  read(offset: number, length: number): Uint8Array {
    return this.view(offset, length);
  }

  /** The parts of [start, end) (clipped to the file) not held yet. */
  missing(start: number, end: number): Range[] {
    const out: Range[] = [];
    let p = Math.max(0, start);
    const stop = Math.min(end, this.size);
    while (p < stop) {
      const i = this.find(p);
      if (i >= 0) {
        p = this.starts[i]! + this.bufs[i]!.length;
        continue;
      }
      const next = this.starts.find((s) => s > p) ?? Infinity;
      const e = Math.min(stop, next);
      out.push([p, e]);
      p = e;
    }
    return out;
  }
}

/**
 * The GETs that fetch `wanted` (minus what `held` has): sorted, and joined where the gap between
 * two is at most `gap` bytes, as Thanos's store gateway does: a few wasted bytes cost less than
 * another round trip.
 */
export function planRanges(held: ByteRanges, wanted: readonly Range[], gap: number): Range[] {
  const need = wanted.flatMap(([s, e]) => held.missing(s, e)).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [s, e] of need) {
    const last = out[out.length - 1];
    if (last && s - last[1] <= gap) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
