import { describe, expect, it } from 'vitest';
import { regularise } from './regularise.js';

const M = 60_000;

describe('regularise', () => {
  it('leaves a regular series as it is, NaN gaps included', () => {
    const r = regularise({ ds: [0, M, 2 * M, 3 * M], y: [1, NaN, 3, 4] });
    expect(r).toEqual({ series: { ds: [0, M, 2 * M, 3 * M], y: [1, NaN, 3, 4] }, step: M, notes: [] });
  });

  it('inserts missing steps (two gaps of 15 and 20 minutes in a 5-minute series) as NaN', () => {
    const ds = Array.from({ length: 300 }, (_, i) => i * 5 * M).filter(
      (t) => !(t > 100 * 5 * M && t < 103 * 5 * M) && !(t > 200 * 5 * M && t < 204 * 5 * M),
    );
    const r = regularise({ ds, y: ds.map((t) => t / M) });
    expect(r.step).toBe(5 * M);
    expect(r.series.ds).toHaveLength(300);
    expect(r.series.y.filter(Number.isNaN)).toHaveLength(5);
    expect(r.notes).toEqual(['5 missing steps added as gaps']);
  });

  it('sorts, merges duplicates by their mean and snaps jittered timestamps to the grid', () => {
    const ds = Array.from({ length: 20 }, (_, i) => i * M);
    const y = ds.map((_, i) => i);
    // Shuffled, one point twice (values 4 and 6 at 5 min), two timestamps off the grid by ±0.7 s.
    const jittered = [...ds.slice(10), ...ds.slice(0, 10), 5 * M, 7 * M + 700, 9 * M - 700];
    const values = [...y.slice(10), ...y.slice(0, 10), 6, 7, 9];
    jittered.splice(7 + 10, 1);
    values.splice(7 + 10, 1);
    jittered.splice(9 + 9, 1);
    values.splice(9 + 9, 1);
    const r = regularise({ ds: jittered, y: values });
    expect(r.series.ds).toEqual(ds);
    expect(r.series.y).toEqual(y.map((v) => (v === 5 ? 5.5 : v)));
    expect(r.notes).toEqual([
      'sorted by time',
      '1 points sharing a grid time merged (their mean)',
      '2 timestamps snapped to the 60 s grid',
    ]);
  });

  it('refuses, in one line, a grid that would be mostly gaps', () => {
    expect(() => regularise({ ds: [0, M, 2 * M, 100 * M], y: [1, 2, 3, 4] })).toThrow(
      expect.objectContaining({ code: 'SERIES_TOO_SPARSE', exitCode: 2 }),
    );
  });
});
