import { describe, expect, it } from 'vitest';
import { openBlocksFor } from './read-samples.js';
import { FIXTURES, casesFor, fixtureDir } from './fixtures.test-util.js';
import { querySamples } from './query.js';
import type { QueryOptions } from './query.js';
import { querySampleBatches } from './stream.js';
import type { SampleBatch } from './stream.js';

const bytes = (a: BigInt64Array | Float64Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Runs the streamed query to its end: the batches and what it returns. */
function drain(gen: Generator<SampleBatch, { stats: unknown; warnings: string[] }>) {
  const batches: SampleBatch[] = [];
  for (;;) {
    const n = gen.next();
    if (n.done) return { batches, end: n.value };
    batches.push(n.value);
  }
}

describe.each(FIXTURES)('streamed query of fixture %s', (fixture) => {
  it.each(casesFor(fixture))('equals querySamples in batches of 100 samples and of 2^20: $name', (c) => {
    const q: QueryOptions = {
      ...(c.minTime !== undefined ? { minTime: c.minTime } : {}),
      ...(c.maxTime !== undefined ? { maxTime: c.maxTime } : {}),
      ...(c.match !== undefined ? { matchers: c.match } : {}),
    };
    const want = querySamples(openBlocksFor(fixtureDir(fixture)), q);
    for (const batchSamples of [100, 1 << 20]) {
      // Windows of 4 KiB: chunks cross window edges and segments are read piece by piece.
      const blocks = openBlocksFor(fixtureDir(fixture), { window: 4096 });
      const { batches, end } = drain(querySampleBatches(blocks, { ...q, batchSamples }));
      const labels = batches.flatMap((b) => b.labels);
      expect(labels).toEqual(want.labels);
      let first = 0;
      for (const b of batches) {
        expect(b.firstSeriesId).toBe(first);
        first += b.labels.length;
        // More than one series in a batch only while they fit (a longer series has a batch to itself).
        if (batchSamples === 100 && b.labels.length > 1) expect(b.offsets[b.labels.length - 1]!).toBeLessThan(100);
      }
      const t = new BigInt64Array(batches.reduce((a, b) => a + b.t.length, 0));
      const v = new Float64Array(t.length);
      let o = 0;
      const offsets: number[] = [];
      for (const b of batches) {
        for (let i = 0; i < b.labels.length; i++) offsets.push(o + b.offsets[i]!);
        t.set(b.t, o);
        v.set(b.v, o);
        o += b.t.length;
      }
      offsets.push(o);
      expect(bytes(t).equals(bytes(want.t))).toBe(true);
      expect(bytes(v).equals(bytes(want.v))).toBe(true);
      expect(offsets).toEqual(Array.from(want.offsets));
      expect(end.warnings).toEqual(want.warnings);
      if (batchSamples === 100 && want.t.length > 400) expect(batches.length).toBeGreaterThan(1);
    }
  });
});
