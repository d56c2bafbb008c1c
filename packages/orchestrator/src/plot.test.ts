import { describe, expect, it } from 'vitest';
import { panelsSvg } from './plot.js';

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
