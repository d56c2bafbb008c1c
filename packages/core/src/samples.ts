/** Prometheus writes this NaN when a series goes stale; compare bits, never values. */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `v` carries exactly the bits of Prometheus's staleness marker. */
export function isStaleNaN(v: number): boolean {
  f64[0] = v;
  const hi = LITTLE_ENDIAN ? u32[1] : u32[0];
  const lo = LITTLE_ENDIAN ? u32[0] : u32[1];
  return hi === STALE_NAN_BITS_HI && lo === STALE_NAN_BITS_LO;
}

/**
 * Writes the staleness marker's bits into `values[i]` through an integer view: a NaN passed
 * around as a number may lose its payload, the array's bytes do not.
 */
export function setStaleNaN(values: Float64Array, i: number): void {
  const w = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  w[2 * i + (LITTLE_ENDIAN ? 1 : 0)] = STALE_NAN_BITS_HI;
  w[2 * i + (LITTLE_ENDIAN ? 0 : 1)] = STALE_NAN_BITS_LO;
}
