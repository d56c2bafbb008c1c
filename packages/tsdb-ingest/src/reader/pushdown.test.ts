import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, fixtureDir, requireTool } from './fixtures.test-util.js';
import { querySamples } from './query.js';
import { openBlocksFor } from './read-samples.js';

function segmentBytes(dirs: string[]): number {
  return dirs.reduce((a, d) => a + statSync(join(d, 'chunks/000001')).size, 0);
}

const cleanup: string[] = [];
afterAll(() => cleanup.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('window and matcher pushdown', () => {
  const dir = fixtureDir('blocks');
  const all = openBlocksFor(dir);
  const t0 = Math.min(...all.map((b) => b.meta.minTime));

  it('opens only the blocks whose range overlaps the window', () => {
    const some = openBlocksFor(dir, { minTime: t0, maxTime: t0 + 60_000 });
    expect(all.length).toBe(8);
    expect(some.length).toBe(1);
  });

  it('reads only the chunks a narrow query needs from a large segment, not the segment', () => {
    // 300 series × 2 000 samples in 2-hour blocks, written by Prometheus's block writer.
    const tool = requireTool(join(REPO_ROOT, 'tools/go-dump/benchblocks'), 'run `make go-tools` (or `make test`)');
    const big = mkdtempSync(join(tmpdir(), 'amf-pushdown-'));
    cleanup.push(big);
    execFileSync(tool, ['--out', big, '--series', '300', '--samples', '2000']);
    const blocks = openBlocksFor(big, { minTime: 1700000000000, maxTime: 1700000600000 });
    expect(blocks.length).toBe(1);
    const r = querySamples(blocks, {
      minTime: 1700000000000,
      maxTime: 1700000600000,
      matchers: '{pod="open5gs-nf3-7d9f8c6b5-00001"}',
    });
    expect(r.labels.length).toBe(1);
    expect(r.stats.samples).toBeGreaterThanOrEqual(39);
    const total = segmentBytes(blocks.map((b) => b.dir));
    expect(total).toBeGreaterThan(500_000);
    expect(r.stats.chunkBytesRead).toBeGreaterThan(0);
    expect(r.stats.chunkBytesRead).toBeLessThan(10_000);
  });

  it('reads segments whole for a full scan, each once', () => {
    const blocks = openBlocksFor(dir);
    const r = querySamples(blocks, {});
    expect(r.stats.chunkBytesRead).toBe(segmentBytes(blocks.map((b) => b.dir)));
  });

  it('a matcher that selects nothing reads no chunk at all', () => {
    const blocks = openBlocksFor(dir);
    const r = querySamples(blocks, { matchers: '{__name__="no_such_metric"}' });
    expect(r.stats.samples).toBe(0);
    expect(r.stats.chunkBytesRead).toBe(0);
  });
});
