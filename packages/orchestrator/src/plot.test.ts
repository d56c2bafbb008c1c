import { describe, expect, it } from 'vitest';
import { columnPoints, panelsSvg } from './plot.js';

describe('plots of extreme values (issue 13, finding 3)', () => {
  // Values below ~1e-14 sent the tick loop to 1.1 GB; 1e300 never ended; a million points overflowed the stack.
  it.each([
    ['tiny', 1e-15],
    ['huge', 1e300],
    ['ordinary', 3],
  ])('%s values: a handful of ticks, at once', (_name, scale) => {
    const n = 1_000_000;
    const t = Array.from({ length: n }, (_, i) => 1_686_000_000_000 + i * 60_000);
    const y = t.map((_, i) => scale * (1 + Math.sin(i / 50)));
    const svg = panelsSvg('x', [{ title: 'x', unit: 'u', lines: [{ label: 'y', color: '#000', t, y }] }]);
    const ticks = svg.match(/stroke="#eee"/g) ?? [];
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(11);
  });
});

describe('columnPoints: what a pixel column shows', () => {
  const x = (t: number) => t / 1000; // 1000 points a pixel column

  it('keeps each column’s first, lowest, highest and last point, in order, and so the extremes', () => {
    const n = 1_000_000;
    const t = Array.from({ length: n }, (_, i) => i);
    const y = t.map((i) => Math.sin(i / 3000) + (i === 424_242 ? 50 : 0) - (i === 777_777 ? 50 : 0));
    const kept = columnPoints(t, y, x) as number[];
    expect(kept.length).toBeLessThanOrEqual(4 * 1000);
    expect(kept).toContain(424_242);
    expect(kept).toContain(777_777);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(n - 1);
    expect(kept.every((j, k) => k === 0 || j > kept[k - 1]!)).toBe(true);
  });

  it('keeps every point when there are fewer than columns, and lifts the pen at a gap', () => {
    const t = [0, 2000, 4000, 6000, 8000];
    expect(columnPoints(t, [1, 2, NaN, 4, 5], x)).toEqual([0, 1, null, 3, 4]);
  });

  it('draws a million-point chart as a path of a few thousand points', () => {
    const n = 1_000_000;
    const t = Array.from({ length: n }, (_, i) => 1_686_000_000_000 + i * 60_000);
    const y = t.map((_, i) => Math.sin(i / 500));
    const svg = panelsSvg('x', [{ title: 'x', unit: 'u', lines: [{ label: 'y', color: '#000', t, y }] }]);
    expect((svg.match(/[ML]\d/g) ?? []).length).toBeLessThan(5000);
  });
});
