/**
 * Label sets as flat arrays [name0, value0, name1, value1, …] sorted by name, compared the
 * way Prometheus compares them: byte-wise on UTF-8. JavaScript compares UTF-16 code units,
 * which disagrees for characters above U+FFFF against U+E000–U+FFFF; `compareUtf8` fixes that.
 */
export type Labels = string[];

export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (code points ≥ U+10000) must sort after U+E000–U+FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Prometheus labels.Compare: name, then value, pair by pair; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) {
    const c = compareUtf8(a[i]!, b[i]!) || compareUtf8(a[i + 1]!, b[i + 1]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Adds external labels (Thanos) that the series does not carry itself; keeps name order. */
export function withExternalLabels(labels: Labels, external: Record<string, string>): Labels {
  const names = Object.keys(external);
  if (names.length === 0) return labels;
  const map = new Map<string, string>();
  for (let i = 0; i < labels.length; i += 2) map.set(labels[i]!, labels[i + 1]!);
  for (const n of names) if (!map.has(n)) map.set(n, external[n]!);
  const sorted = [...map.keys()].sort(compareUtf8);
  return sorted.flatMap((n) => [n, map.get(n)!]);
}

export function labelsToObject(labels: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < labels.length; i += 2) o[labels[i]!] = labels[i + 1]!;
  return o;
}
