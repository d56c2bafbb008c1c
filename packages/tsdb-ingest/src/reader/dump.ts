import { formatGoFloat, formatLabels } from './format.js';
import type { QueryResult } from './query.js';

const TWO32 = 4294967296;

/**
 * Samples exactly as `promtool tsdb dump` (2.42) prints them: `{labels} value ts` per line, series
 * in label order, samples in time order, in pieces of about 64 KiB. Like 2.42, a series stops at its
 * first non-float sample (docs/TSDB_FORMAT.md §7.3). A generator, so a caller can stop between
 * pieces or let its event loop run (Ctrl-C during a dump of millions of lines).
 */
export function* dumpText(r: QueryResult): Generator<string, number> {
  const t32 = new Int32Array(r.t.buffer, r.t.byteOffset, r.t.length * 2);
  let lines = 0;
  let buf = '';
  for (let s = 0; s < r.labels.length; s++) {
    const prefix = formatLabels(r.labels[s]!) + ' ';
    const stop = r.firstSkipped[s]!;
    const end = r.offsets[s + 1]!;
    for (let i = r.offsets[s]!; i < end; i++) {
      const t = t32[2 * i + 1]! * TWO32 + (t32[2 * i]! >>> 0);
      if (t >= stop) break;
      buf += `${prefix}${formatGoFloat(r.v[i]!)} ${t}\n`;
      lines++;
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf.length > 0) yield buf;
  return lines;
}

/** dumpText's pieces, each handed to `write`; returns the number of lines. */
export function writeDump(r: QueryResult, write: (text: string) => void): number {
  const pieces = dumpText(r);
  for (;;) {
    const next = pieces.next();
    if (next.done) return next.value;
    write(next.value);
  }
}
