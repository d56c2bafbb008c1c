import { describe, expect, it } from 'vitest';
import { seededRandom } from '@amf-foresight/core';
import { Naive } from '@amf-foresight/models-seasonal';
import { Conformal, MIN_SCORES, pooledScores } from './conformal.js';

describe('conformal intervals', () => {
  // 7 backtest windows × 12 steps of absolute errors growing with the step, as auto makes them.
  const u = seededRandom(3);
  const absErrors = Array.from({ length: 12 }, (_, j) =>
    Array.from({ length: 7 }, () => (1 + j / 4) * -Math.log(1 - u())),
  );

  it('pools neighbouring steps until each step has at least 20 scores', () => {
    for (let i = 0; i < 12; i++) expect(pooledScores(absErrors, i).length).toBeGreaterThanOrEqual(MIN_SCORES);
    expect(pooledScores(absErrors, 0)).toHaveLength(21); // steps 0, 1, 2
    expect(pooledScores(absErrors, 5)).toHaveLength(21); // steps 4, 5, 6
    expect(pooledScores([[1, 2]], 0)).toEqual([1, 2]); // never more than there is
  });

  it('80, 90 and 95 % intervals are distinct and nested at every step', async () => {
    const ds = Array.from({ length: 50 }, (_, i) => i * 60_000);
    const m = await new Conformal(new Naive(), absErrors).fit({ ds, y: ds.map((_, i) => i % 7) });
    const f = m.predict(12);
    for (let i = 0; i < 12; i++) {
      const w = (l: number) => f.intervals[l]!.hi[i]! - f.intervals[l]!.lo[i]!;
      expect(w(80)).toBeLessThan(w(90));
      expect(w(90)).toBeLessThan(w(95));
    }
  });
});
