import { describe, expect, it } from 'vitest';
import { isStaleNaN } from './samples.js';

describe('isStaleNaN', () => {
  it('tells the staleness marker from an ordinary NaN by its bits', () => {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setUint32(0, 0x7ff00000);
    buf.setUint32(4, 0x00000002);
    expect(isStaleNaN(buf.getFloat64(0))).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
    expect(isStaleNaN(0)).toBe(false);
    expect(isStaleNaN(Infinity)).toBe(false);
  });
});
