import { describe, expect, it } from 'vitest';
import { conformalQuantile, seededRandom, weightedConformalQuantile } from '@amf-foresight/core';
import { Naive } from '@amf-foresight/models-seasonal';
import { Conformal, MIN_SCORES, pooledScores, rollingCalibration } from './conformal.js';

describe('conformal intervals', () => {
  // 7 backtest windows × 12 steps of absolute errors growing with the step, as auto makes them.
  const u = seededRandom(3);
  const absErrors = Array.from({ length: 12 }, (_, j) =>
    Array.from({ length: 7 }, () => (1 + j / 4) * -Math.log(1 - u())),
  );

  it('pools neighbouring steps until each step has at least 20 scores', () => {
    for (let i = 0; i < 12; i++)
      expect(pooledScores({ absErrors }, i).scores.length).toBeGreaterThanOrEqual(MIN_SCORES);
    expect(pooledScores({ absErrors }, 0).scores).toHaveLength(21); // steps 0, 1, 2
    expect(pooledScores({ absErrors }, 5).scores).toHaveLength(21); // steps 4, 5, 6
    expect(pooledScores({ absErrors: [[1, 2]] }, 0).scores).toEqual([1, 2]); // never more than there is
  });

  it('80, 90 and 95 % intervals are distinct and nested at every step', async () => {
    const ds = Array.from({ length: 50 }, (_, i) => i * 60_000);
    const m = await new Conformal(new Naive(), { absErrors }).fit({ ds, y: ds.map((_, i) => i % 7) });
    const f = m.predict(12);
    for (let i = 0; i < 12; i++) {
      const w = (l: number) => f.intervals[l]!.hi[i]! - f.intervals[l]!.lo[i]!;
      expect(w(80)).toBeLessThan(w(90));
      expect(w(90)).toBeLessThan(w(95));
    }
  });
});

describe('calibration on rolling origins', () => {
  // Two days of 5-minute noise of spread 1, then six hours of spread 5: the level of the errors shifted.
  const u = seededRandom(11);
  const noise = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const ds = Array.from({ length: 648 }, (_, i) => i * 300_000);
  const y = ds.map((_, i) => 50 + (i < 576 ? 1 : 5) * noise());

  it('scores a day of origins, one step apart, weighted toward the latest', async () => {
    const m = await new Naive().fit({ ds, y });
    const c = rollingCalibration(m, y, { horizon: 6, season: 288 });
    expect(c.absErrors[0]).toHaveLength(288);
    expect(c.absErrors[0]!.length).toBeGreaterThanOrEqual(MIN_SCORES);
    const w = c.weights![0]!;
    expect(w[w.length - 1]).toBe(1);
    expect(w[w.length - 1 - 72]).toBeCloseTo(0.5, 12); // a quarter season older: half the weight
  });

  it('follows the shift: the weighted 90 % width is wider than the unweighted one', async () => {
    const m = await new Naive().fit({ ds, y });
    const c = rollingCalibration(m, y, { horizon: 1, season: 288 });
    const scores = c.absErrors[0]!;
    const flat = conformalQuantile(
      [...scores].sort((a, b) => a - b),
      0.9,
    );
    const recent = weightedConformalQuantile(scores, c.weights![0]!, 0.9);
    expect(recent).toBeGreaterThan(1.25 * flat); // 9.8 against 7.5 with this seed
    // The naive forecast's error under spread 5 is 5·√2·N(0,1): its 90 % quantile is 5·√2·1.645 ≈ 11.6.
    expect(recent).toBeGreaterThan(7);
  });
});
