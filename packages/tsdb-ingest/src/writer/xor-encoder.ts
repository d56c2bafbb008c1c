/**
 * Encoder of Prometheus XOR chunks (encoding 1), the inverse of reader/xor.ts and the same
 * choices as Prometheus's xorAppender (docs/TSDB_FORMAT.md §6): delta-of-delta buckets of
 * 14/17/20/64 bits, leading zeros capped at 31, a value window reused only when the new
 * one fits inside it.
 *
 * Invariants: values arrive as the [lo, hi] uint32 halves of their float64 bits and are
 * never turned back into numbers, so NaN payloads (the staleness marker) stay bit-exact;
 * timestamps strictly increase within a chunk (the caller checks).
 */

const TWO32 = 4294967296;
/** Bytes one sample can take at most: 68 bits of dod and 77 of value, rounded up. */
const MAX_SAMPLE_BYTES = 19;
const NO_WINDOW = 0xff;

const ctz32 = (x: number): number => 31 - Math.clz32(x & -x);

export class XorEncoder {
  private buf = new Uint8Array(4096);
  private pos = 0;

  /** Appends the low `n` (1..32) bits of `v` (which has no higher bits set), MSB first. */
  private put(v: number, n: number): void {
    const b = this.buf;
    let pos = this.pos;
    while (n > 0) {
      const free = 8 - (pos & 7);
      const take = n < free ? n : free;
      n -= take;
      b[pos >>> 3] = b[pos >>> 3]! | (((v >>> n) & ((1 << take) - 1)) << (free - take));
      pos += take;
    }
    this.pos = pos;
  }

  /** Appends the `m` (1..64) low bits of the 64-bit value (hi, lo) shifted right by `s`. */
  private putShifted(hi: number, lo: number, s: number, m: number): void {
    let h = hi;
    let l = lo;
    if (s >= 32) {
      l = hi >>> (s - 32);
      h = 0;
    } else if (s > 0) {
      l = ((lo >>> s) | (hi << (32 - s))) >>> 0;
      h = hi >>> s;
    }
    if (m > 32) {
      this.put(h, m - 32);
      this.put(l, 32);
    } else this.put(l, m);
  }

  private putByte(x: number): void {
    this.buf[this.pos >>> 3] = x;
    this.pos += 8;
  }

  private putUvarint(x: number): void {
    while (x >= 0x80) {
      this.putByte((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    this.putByte(x);
  }

  private putDod(dod: number): void {
    if (dod === 0) this.put(0, 1);
    else if (dod >= -8191 && dod <= 8192) this.put((0b10 << 14) | (dod & 0x3fff), 16);
    else if (dod >= -65535 && dod <= 65536) this.put((0b110 << 17) | (dod & 0x1ffff), 20);
    else if (dod >= -524287 && dod <= 524288) this.put((0b1110 << 20) | (dod & 0xfffff), 24);
    else {
      const hi = Math.floor(dod / TWO32);
      this.put(0b1111, 4);
      this.put(hi >>> 0, 32);
      this.put((dod - hi * TWO32) >>> 0, 32);
    }
  }

  /**
   * The data of one XOR chunk (num_samples and the bit stream, not the encoding byte) of
   * samples `start` ≤ k < `end`: `t[k]` ms, value bits `v32[2k]` (lo) and `v32[2k + 1]` (hi).
   */
  encode(t: Float64Array, v32: Uint32Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (n < 1 || n > 65535) throw new RangeError(`an XOR chunk holds 1 to 65535 samples, not ${n}`);
    const need = 2 + 10 + 8 + 10 + n * MAX_SAMPLE_BYTES;
    if (this.buf.length < need) this.buf = new Uint8Array(need);
    else this.buf.fill(0, 0, (this.pos >>> 3) + 1);
    this.pos = 0;
    this.putByte(n >>> 8);
    this.putByte(n & 0xff);
    const t0 = t[start]!;
    this.putUvarint(t0 < 0 ? -2 * t0 - 1 : 2 * t0);
    let ph = v32[2 * start + 1]!;
    let pl = v32[2 * start]!;
    this.put(ph, 32);
    this.put(pl, 32);
    let lead = NO_WINDOW;
    let trail = 0;
    let prevT = t0;
    let tdelta = 0;
    for (let k = start + 1; k < end; k++) {
      const tk = t[k]!;
      const d = tk - prevT;
      if (k === start + 1) this.putUvarint(d);
      else this.putDod(d - tdelta);
      tdelta = d;
      prevT = tk;
      const vh = v32[2 * k + 1]!;
      const vl = v32[2 * k]!;
      const dh = (vh ^ ph) >>> 0;
      const dl = (vl ^ pl) >>> 0;
      ph = vh;
      pl = vl;
      if (dh === 0 && dl === 0) {
        this.put(0, 1);
        continue;
      }
      let leading = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
      if (leading > 31) leading = 31;
      const trailing = dl !== 0 ? ctz32(dl) : 32 + ctz32(dh);
      if (lead !== NO_WINDOW && leading >= lead && trailing >= trail) {
        this.put(0b10, 2);
        this.putShifted(dh, dl, trail, 64 - lead - trail);
      } else {
        lead = leading;
        trail = trailing;
        const sig = 64 - leading - trailing;
        this.put((0b11 << 11) | (leading << 6) | (sig & 63), 13);
        this.putShifted(dh, dl, trailing, sig);
      }
    }
    return this.buf.slice(0, (this.pos + 7) >>> 3);
  }
}
