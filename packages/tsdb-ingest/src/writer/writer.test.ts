import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockFromBytes } from '../reader/block.js';
import { parseMeta } from '../reader/meta.js';
import { querySamples } from '../reader/query.js';
import { TsdbError } from '../reader/errors.js';
import { encodeBlocks } from './block-writer.js';
import type { BlockOptions, SeriesToWrite } from './block-writer.js';
import { arbSeries, build, labelsKey } from './writer.test-util.js';

const read = (series: SeriesToWrite[], options: BlockOptions = {}) => {
  const blocks = [...encodeBlocks(series, options)];
  const opened = blocks.map((b) =>
    blockFromBytes({ meta: b.meta, index: b.index, segments: b.segments, tombstones: b.tombstones }),
  );
  return { blocks, result: querySamples(opened) };
};

/** The samples of each series as [labels, [t, value bits as hex]…], sorted by labels. */
function bitsOf(labels: string[][], offsets: Uint32Array, t: ArrayLike<number | bigint>, v: Float64Array) {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  return labels.map((l, s) => {
    const samples: [number, string][] = [];
    for (let i = offsets[s]!; i < offsets[s + 1]!; i++)
      samples.push([
        Number(t[i]!),
        u[2 * i + 1]!.toString(16).padStart(8, '0') + u[2 * i]!.toString(16).padStart(8, '0'),
      ]);
    return [l.join('\u0000'), samples] as const;
  });
}

describe('TSDB block writer', () => {
  it('round trip: random series → blocks → our reader gives the same timestamps and value bits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbSeries, { maxLength: 6, selector: (s) => JSON.stringify(labelsKey(s.labels)) }),
        fc.constantFrom(7_200_000, 86_400_000 * 400),
        fc.integer({ min: 1, max: 200 }),
        (raw, blockDurationMs, samplesPerChunk) => {
          const series = raw.map(build);
          const { blocks, result } = read(series, { blockDurationMs, samplesPerChunk });
          const want = series
            .map((s) => {
              const labels = Object.keys(s.labels)
                .filter((k) => s.labels[k] !== '')
                .sort()
                .flatMap((k) => [k, s.labels[k]!]);
              return { labels, s };
            })
            .sort((a, b) => (a.labels.join('\u0000') < b.labels.join('\u0000') ? -1 : 1));
          const offsets = new Uint32Array(want.length + 1);
          want.forEach((w, i) => (offsets[i + 1] = offsets[i]! + w.s.timestamps.length));
          const allT = want.flatMap((w) => Array.from(w.s.timestamps));
          const allV = new Float64Array(allT.length);
          want.forEach((w, i) => allV.set(w.s.values, offsets[i]));
          expect(bitsOf(result.labels, result.offsets, result.t, result.v)).toEqual(
            bitsOf(
              want.map((w) => w.labels),
              offsets,
              allT,
              allV,
            ),
          );
          for (const b of blocks) {
            const m = parseMeta(b.meta, 'meta.json');
            expect(m.stats.numSamples).toBe(b.stats.numSamples);
            expect(m.maxTime - m.minTime).toBeLessThanOrEqual(blockDurationMs);
          }
        },
      ),
      { numRuns: 150, seed: 15 },
    );
  });

  it('cuts chunks at 120 samples and blocks at 2-hour boundaries by default, meta.json as Prometheus writes it', () => {
    const t = Array.from({ length: 1000 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const blocks = [...encodeBlocks([{ labels: { __name__: 'up', job: 'x' }, timestamps: t, values: t.map(() => 1) }])];
    const range = (t: number) => Math.floor(t / 7_200_000);
    expect(blocks.map((b) => range(b.maxTime - 1) - range(b.minTime))).toEqual(blocks.map(() => 0));
    expect(blocks.length).toBe(range(t[999]!) - range(t[0]!) + 1);
    expect(blocks.reduce((a, b) => a + b.stats.numSamples, 0)).toBe(1000);
    // 2 h at 15 s = 480 samples = 4 chunks of 120.
    expect(blocks.map((b) => b.stats.numChunks)).toEqual(blocks.map((b) => Math.ceil(b.stats.numSamples / 120)));
    const meta = blocks[1]!.meta;
    expect(meta.startsWith('{\n\t"ulid": "')).toBe(true);
    expect(meta.endsWith('\n}')).toBe(true);
    expect(JSON.parse(meta)).toMatchObject({ compaction: { level: 1, sources: [blocks[1]!.ulid] }, version: 1 });
    expect(new Set(blocks.map((b) => b.ulid)).size).toBe(blocks.length);
  });

  it('writes the Thanos section: external labels, source, and every file with its size', () => {
    const [b] = [
      ...encodeBlocks([{ labels: { __name__: 'up' }, timestamps: [1, 2], values: [1, 2] }], {
        thanos: { labels: { cluster: 'eu1' } },
      }),
    ];
    const m = JSON.parse(b!.meta) as { thanos: { labels: object; source: string; files: object[] } };
    expect(m.thanos.labels).toEqual({ cluster: 'eu1' });
    expect(m.thanos.source).toBe('amf-foresight');
    expect(m.thanos.files).toEqual([
      { rel_path: 'chunks/000001', size_bytes: b!.segments[0]!.length },
      { rel_path: 'index', size_bytes: b!.index.length },
      { rel_path: 'meta.json' },
    ]);
    expect(parseMeta(b!.meta, 'meta.json').thanos?.labels).toEqual({ cluster: 'eu1' });
  });

  it.each([
    [{ labels: { 'bad-name': 'x' }, timestamps: [1], values: [1] }, /label name "bad-name" is not valid/],
    [{ labels: { __name__: 'a b' }, timestamps: [1], values: [1] }, /metric name "a b" is not valid/],
    [{ labels: { __name__: 'x' }, timestamps: [2, 1], values: [1, 1] }, /timestamp 1 at 1 is not an integer after 2/],
    [{ labels: { __name__: 'x' }, timestamps: [1.5], values: [1] }, /timestamp 1.5/],
    [{ labels: { __name__: 'x' }, timestamps: [1, 2], values: [1] }, /2 timestamps, 1 values/],
    [{ labels: { a: '' }, timestamps: [1], values: [1] }, /no labels/],
  ])('refuses series no block may hold: %j', (s, message) => {
    expect(() => [...encodeBlocks([s])]).toThrow(message);
    expect(() => [...encodeBlocks([s])]).toThrow(TsdbError);
  });

  it('refuses a label set given twice', () => {
    const s = { labels: { __name__: 'x', a: '1' }, timestamps: [1], values: [1] };
    expect(() => [...encodeBlocks([s, { ...s, labels: { a: '1', __name__: 'x', b: '' } }])]).toThrow(/given twice/);
  });
});
