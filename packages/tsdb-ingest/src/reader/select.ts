import type { IndexReader } from './index-reader.js';
import type { Matcher } from './matchers.js';

function union(lists: Uint32Array[]): Uint32Array {
  if (lists.length === 0) return new Uint32Array(0);
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let o = 0;
  for (const l of lists) {
    all.set(l, o);
    o += l.length;
  }
  all.sort();
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[w - 1]) all[w++] = all[r]!;
  return all.subarray(0, w);
}

function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[o++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, o);
}

function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let j = 0;
  let o = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j] !== x) out[o++] = x;
  }
  return out.subarray(0, o);
}

/**
 * Series IDs of the block matching every matcher, ascending (= sorted by label set),
 * through postings only (docs/TSDB_FORMAT.md §3.8). A series lacking label L behaves as L="".
 */
export function selectSeries(index: IndexReader, matchers: readonly Matcher[]): Uint32Array {
  if (matchers.length === 0) return index.allPostings();
  // Matchers that reject "" narrow fastest; evaluate them first.
  const ordered = [...matchers].sort((x, y) => Number(x.matches('')) - Number(y.matches('')));
  let result: Uint32Array | undefined;
  for (const m of ordered) {
    let s: Uint32Array;
    if (m.matches('')) {
      const base = result ?? index.allPostings();
      s = subtract(base, union(index.postingsWhere(m.name, (v) => !m.matches(v))));
      result = s;
      continue;
    }
    s = m.type === '=' ? index.postings(m.name, m.value) : union(index.postingsWhere(m.name, (v) => m.matches(v)));
    result = result === undefined ? s : intersect(result, s);
    if (result.length === 0) break;
  }
  return result ?? index.allPostings();
}
