import { describe, expect, it } from 'vitest';
import { coverage, intervalScore, mae, mase, mse, pinball, rmse, seasonalNaiveScale, smape } from './metrics.js';
import { normalQuantile, zForLevel } from './forecaster.js';

describe('forecast metrics', () => {
  const y = [1, 2, 3, 4];
  const f = [1, 3, 1, NaN];
  it('computes MSE, RMSE, MAE over the non-missing pairs', () => {
    expect(mse(y, f)).toBeCloseTo((0 + 1 + 4) / 3, 15);
    expect(rmse(y, f)).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(mae(y, f)).toBeCloseTo(1, 15);
  });
  it('computes sMAPE in percent', () => {
    expect(smape([100, 0], [110, 0])).toBeCloseTo((200 * 10) / 210 / 2, 12);
  });
  it('scales MASE by the seasonal naive in-sample error', () => {
    const train = [1, 2, 1, 2, 1, 3];
    expect(seasonalNaiveScale(train, 1)).toBeCloseTo((1 + 1 + 1 + 1 + 2) / 5, 15);
    expect(seasonalNaiveScale(train, 2)).toBeCloseTo((0 + 0 + 0 + 1) / 4, 15);
    expect(mase([3, 3], [2, 4], train, 2)).toBeCloseTo(1 / 0.25, 12);
  });
  it('measures coverage and pinball loss', () => {
    expect(coverage([1, 5, 3], [0, 0, 4], [2, 4, 6])).toBeCloseTo(1 / 3, 15);
    expect(pinball([10, 10], [8, 13], 0.9)).toBeCloseTo((0.9 * 2 + 0.1 * 3) / 2, 15);
  });
  it('has normal quantiles to 1e-9', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(zForLevel(90)).toBeCloseTo(1.6448536269514722, 8);
    expect(zForLevel(80)).toBeCloseTo(1.2815515655446004, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
  });
});

describe('intervalScore', () => {
  it('is the width inside, plus 2/α times the miss outside', () => {
    // 90 %: α = 0.1, so a miss costs 20 per unit.
    expect(intervalScore([5], [4], [6], 90)).toBe(2);
    expect(intervalScore([7], [4], [6], 90)).toBeCloseTo(2 + 20 * 1);
    expect(intervalScore([3, 5, NaN], [4, 4, 4], [6, 6, 6], 80)).toBeCloseTo((2 + 10 + 2) / 2);
  });
});
