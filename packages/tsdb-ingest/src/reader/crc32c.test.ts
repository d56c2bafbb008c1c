import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

describe('crc32c', () => {
  it('has the Castagnoli check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
  it('agrees between the sliced and the bytewise paths', () => {
    const b = Uint8Array.from({ length: 1031 }, (_, i) => (i * 131) & 255);
    for (const [s, e] of [
      [0, 1031],
      [1, 1030],
      [3, 7],
      [5, 5],
    ] as const) {
      let c = 0xffffffff;
      for (let i = s; i < e; i++) {
        c ^= b[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      expect(crc32c(b, s, e)).toBe((c ^ 0xffffffff) >>> 0);
    }
  });
});
