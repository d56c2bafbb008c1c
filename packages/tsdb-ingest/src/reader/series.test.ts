import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBlocksFor } from './read-samples.js';
import { querySamples } from './query.js';
import { querySeries } from './series.js';

const BLOCKS = join(import.meta.dirname, '../../testdata/blocks');

describe('querySeries: the series of a query from the index alone', () => {
  const blocks = openBlocksFor(BLOCKS);
  const all = querySamples(blocks);
  const span = {
    lo: Number(all.t.reduce((a, t) => (t < a ? t : a))),
    hi: Number(all.t.reduce((a, t) => (t > a ? t : a))),
  };

  it.each([
    ['every series, no window', {}],
    ['a selector', { matchers: '{__name__=~"demo_.+"}' }],
    [
      'a window inside the data',
      { minTime: span.lo + (span.hi - span.lo) / 3, maxTime: span.lo + (span.hi - span.lo) / 2 },
    ],
    ['a negative matcher', { matchers: '{__name__=~"demo_.+", namespace!="kube-system"}' }],
  ])('lists what querySamples returns: %s', (_what, opts) => {
    const want = querySamples(blocks, opts).labels;
    expect(want.length).toBeGreaterThan(0);
    expect(querySeries(blocks, opts)).toEqual(want);
  });

  it('lists nothing outside the data', () => {
    expect(querySeries(blocks, { minTime: span.hi + 86_400_000, maxTime: span.hi + 2 * 86_400_000 })).toEqual([]);
  });
});
