import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script shared with `make fuzz`
import { fuzz } from '../../scripts/fuzz.mjs';
import * as lib from '../index.js';

describe('damaged blocks', () => {
  it('a sample of 600 mutated blocks fails only with typed errors, each quickly', () => {
    const r = fuzz(lib, { iterations: 600, seed: 42 }) as {
      ok: number;
      codes: Record<string, number>;
      untyped: { what: string; error: string }[];
      slowest: { ms: number };
    };
    expect(r.untyped).toEqual([]);
    // The mutations must actually reach the checks: several kinds of errors are raised.
    expect(Object.keys(r.codes)).toEqual(
      expect.arrayContaining(['TSDB_BAD_CRC', 'TSDB_BAD_META', 'TSDB_BAD_MAGIC', 'TSDB_TRUNCATED']),
    );
    expect(Object.values(r.codes).reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
  });
});
