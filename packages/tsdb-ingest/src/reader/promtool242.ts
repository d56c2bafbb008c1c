/**
 * Emulation of how Prometheus 2.42's block querier applies tombstones together with the
 * query window, for `tsdb dump` parity only.
 *
 * 2.42 trims a series to the window by adding deletion intervals [MinInt64, mint-1] and
 * [maxt+1, MaxInt64] to the series' tombstones with `Intervals.Add`, whose `n.Mint-1`
 * overflows for MinInt64. For a series that already has tombstones, the front interval
 * is then appended out of order, and the deletion iterator (which assumes sorted intervals)
 * lets samples before the window through. promtool therefore prints samples outside
 * `--min-time` for tombstoned series. Everything here is int64 arithmetic in BigInt,
 * wrapping like Go, and Go's sort.Search, so the result is exactly 2.42's.
 */

export type Interval = [bigint, bigint];

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;
const wrap = (x: bigint): bigint => BigInt.asIntN(64, x);

function search(n: number, f: (i: number) => boolean): number {
  let i = 0;
  let j = n;
  while (i < j) {
    const h = (i + j) >>> 1;
    if (!f(h)) i = h + 1;
    else j = h;
  }
  return i;
}

/** tombstones.Intervals.Add of 2.42, overflow included. Returns a new list. */
export function add242(input: readonly Interval[], n: Interval): Interval[] {
  const inl = input.map((x) => [x[0], x[1]] as Interval);
  if (inl.length === 0) return [n];
  const mini = search(inl.length, (i) => inl[i]![1] >= wrap(n[0] - 1n));
  if (mini === inl.length) return [...inl, n];
  const maxi = search(inl.length - mini, (i) => inl[mini + i]![0] > wrap(n[1] + 1n));
  if (maxi === 0) return [...inl.slice(0, mini), n, ...inl.slice(mini)];
  const m = inl[mini]!;
  if (n[0] < m[0]) m[0] = n[0];
  m[1] = inl[maxi + mini - 1]![1];
  if (n[1] > m[1]) m[1] = n[1];
  return [...inl.slice(0, mini + 1), ...inl.slice(maxi + mini)];
}

/** Series-level intervals of one block: tombstones plus the window trims 2.42 adds. */
export function seriesIntervals242(
  tomb: readonly [number, number][],
  chunks: readonly { mint: number; maxt: number }[],
  qmin: number,
  qmax: number,
): Interval[] {
  // Tombstones as read from the file go through Add as well (memTombstones.AddInterval).
  let iv: Interval[] = [];
  for (const [a, b] of tomb) iv = add242(iv, [BigInt(a), BigInt(b)]);
  let front = false;
  let back = false;
  for (const c of chunks) {
    if (c.maxt < qmin || c.mint > qmax) continue;
    if (isSubrange(c.mint, c.maxt, iv)) continue;
    if (c.mint < qmin) front = true;
    if (c.maxt > qmax) back = true;
  }
  if (front) iv = add242(iv, [MIN, BigInt(qmin) - 1n]);
  if (back) iv = add242(iv, [BigInt(qmax) + 1n, MAX]);
  return iv;
}

export function isSubrange(mint: number, maxt: number, iv: readonly Interval[]): boolean {
  const a = BigInt(mint);
  const b = BigInt(maxt);
  return iv.some(([lo, hi]) => a >= lo && a <= hi && b >= lo && b <= hi);
}

/** The intervals 2.42 attaches to one chunk's iterator (those overlapping it, re-Added). */
export function chunkIntervals242(iv: readonly Interval[], mint: number, maxt: number): Interval[] {
  const a = BigInt(mint);
  const b = BigInt(maxt);
  let out: Interval[] = [];
  for (const x of iv) if (a <= x[1] && x[0] <= b) out = add242(out, x);
  return out;
}

/** DeletedIterator.Next of 2.42: returns a predicate fed timestamps in increasing order. */
export function deletedIterator242(iv: readonly Interval[]): (t: number) => boolean {
  let head = 0;
  return (t: number) => {
    const ts = BigInt(t);
    for (let k = head; k < iv.length; k++) {
      const [lo, hi] = iv[k]!;
      if (ts >= lo && ts <= hi) return false;
      if (ts <= hi) return true;
      head = k + 1;
    }
    return true;
  };
}
