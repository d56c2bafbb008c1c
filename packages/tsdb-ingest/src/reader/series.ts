import type { Block } from './block.js';
import { compareLabels, withExternalLabels } from './labels.js';
import type { Labels } from './labels.js';
import { chunksInWindow, normaliseMatchers, overlappingBlocks, queryWindow } from './query.js';
import type { QueryOptions } from './query.js';
import { selectSeries } from './select.js';

/**
 * The label sets of the series `querySamples` would select with the same options, from the index
 * alone: a series is listed when one of its chunks overlaps the window (no chunk is read, so one
 * whose chunks straddle the window without a sample inside it is listed too). Once each across
 * blocks, external labels applied, in label order.
 */
export function querySeries(blocks: readonly Block[], opts: Omit<QueryOptions, 'promtool242'> = {}): Labels[] {
  const win = queryWindow(opts);
  const matchers = normaliseMatchers(opts.matchers);
  const found = new Map<string, Labels>();
  for (const block of overlappingBlocks(blocks, win)) {
    const external = block.meta.thanos?.labels ?? {};
    for (const id of selectSeries(block.index, matchers)) {
      const entry = block.index.series(id);
      if (chunksInWindow(entry.chunks, block.tombstones.get(id), win.qmin, win.qmax).length === 0) continue;
      const labels = withExternalLabels(entry.labels, external);
      found.set(labels.join('\xff'), labels);
    }
  }
  return [...found.values()].sort(compareLabels);
}
