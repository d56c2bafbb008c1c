import fc from 'fast-check';
import { setStaleNaN } from '@amf-foresight/core';
import type { SeriesToWrite } from './block-writer.js';

// Random series for the writer's round-trip properties (writer.test.ts, writer.integ.test.ts).
const labelValue = fc.constantFrom('a', 'open5gs-amf-7d9f', 'café "quoted"', 'ü\\n', '😀 x', 'b\tc', '0.5');
const labelSet = fc.record(
  {
    __name__: fc.constantFrom('amf_foresight_forecast', 'container_cpu_usage_seconds_total', 'up'),
    namespace: labelValue,
    quantile: fc.constantFrom('0.5', '0.9', ''),
    Zone: labelValue,
  },
  { requiredKeys: ['__name__'] },
);
/** Deltas of every dod bucket: 0, 14, 17, 20 and 64 bits, and 1 ms. */
const delta = fc.oneof(
  fc.constant(15_000),
  fc.integer({ min: 14_960, max: 15_040 }),
  fc.integer({ min: 1, max: 600_000 }),
  fc.integer({ min: 1, max: 5_000_000_000 }),
);
const bits = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e-300, 5e-324, Number.MAX_VALUE),
  fc.integer({ min: 0, max: 1000 }).map((x) => x / 8),
);

export const arbSeries = fc.record({
  labels: labelSet,
  start: fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }),
  deltas: fc.array(delta, { minLength: 0, maxLength: 400 }),
  values: fc.array(bits, { minLength: 401, maxLength: 401 }),
  raw: fc.array(fc.tuple(fc.nat({ max: 400 }), fc.nat(), fc.nat()), { maxLength: 5 }),
  stale: fc.array(fc.nat({ max: 400 }), { maxLength: 3 }),
});

export type ArbSeries = {
  labels: Record<string, string>;
  start: number;
  deltas: number[];
  values: number[];
  raw: [number, number, number][];
  stale: number[];
};

export function build(x: ArbSeries): SeriesToWrite {
  const t = [x.start];
  for (const d of x.deltas) t.push(t[t.length - 1]! + d);
  const v = Float64Array.from(x.values.slice(0, t.length));
  const u = new Uint32Array(v.buffer);
  // Arbitrary bit patterns (signalling NaNs with payloads among them) and staleness markers.
  for (const [i, hi, lo] of x.raw) if (i < t.length) [u[2 * i + 1], u[2 * i]] = [hi >>> 0, lo >>> 0];
  for (const i of x.stale) if (i < t.length) setStaleNaN(v, i);
  return { labels: x.labels, timestamps: t, values: v };
}

export function labelsKey(l: Record<string, string | undefined>): [string, string][] {
  return Object.entries(l)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
