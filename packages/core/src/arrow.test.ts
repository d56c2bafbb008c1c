import { describe, expect, it } from 'vitest';
import { Float64, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { float64Vector, timestampMsVector, utf8Vector } from './arrow.js';

describe('Arrow columns built into their buffers', () => {
  it('equal what vectorFromArray builds: types, values and nulls', () => {
    const strings = ['amf', null, 'ünïcødé 🙂', '', 'amf', null, 'smf'];
    const floats = [1.5, null, NaN, -0, Infinity, null, 1e-300, 3];
    const times = [0, 1_686_000_000_000, 4_102_444_800_000, 1_686_000_060_000];
    const pairs: [Vector, Vector][] = [
      [utf8Vector(strings), vectorFromArray(strings, new Utf8())],
      [float64Vector(floats), vectorFromArray(floats, new Float64())],
      [timestampMsVector(times), vectorFromArray(times, new TimestampMillisecond('UTC'))],
    ];
    for (const [ours, theirs] of pairs) {
      expect(String(ours.type)).toBe(String(theirs.type));
      expect(ours.nullCount).toBe(theirs.nullCount);
      expect(ours.toArray()).toEqual(theirs.toArray());
      expect(Array.from(ours)).toEqual(Array.from(theirs));
    }
  });

  it('have no null bitmap and no nulls when nothing is null; handle no values', () => {
    expect(utf8Vector(['a', 'b']).nullCount).toBe(0);
    expect(float64Vector(new Float64Array([1, NaN])).nullCount).toBe(0);
    expect(utf8Vector([]).length).toBe(0);
    expect(float64Vector([]).length).toBe(0);
  });
});
