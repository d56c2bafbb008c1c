const utf8 = new TextEncoder();

/**
 * A growable big-endian byte buffer, the writer's side of Decbuf: every integer the block
 * format holds (docs/TSDB_FORMAT.md §0). 64-bit values come in as numbers below 2^53.
 */
export class Encbuf {
  b: Uint8Array;
  len = 0;
  constructor(capacity = 1 << 16) {
    this.b = new Uint8Array(capacity);
  }

  reserve(n: number): void {
    if (this.len + n <= this.b.length) return;
    let cap = this.b.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.b.subarray(0, this.len));
    this.b = next;
  }

  byte(x: number): void {
    this.reserve(1);
    this.b[this.len++] = x;
  }

  be32(x: number): void {
    this.reserve(4);
    const b = this.b;
    const p = this.len;
    b[p] = x >>> 24;
    b[p + 1] = x >>> 16;
    b[p + 2] = x >>> 8;
    b[p + 3] = x;
    this.len = p + 4;
  }

  /** Overwrites 4 bytes at `at` (a length or count known only once the section is written). */
  be32At(at: number, x: number): void {
    const b = this.b;
    b[at] = x >>> 24;
    b[at + 1] = x >>> 16;
    b[at + 2] = x >>> 8;
    b[at + 3] = x;
  }

  be64(x: number): void {
    const hi = Math.floor(x / 4294967296);
    this.be32(hi >>> 0);
    this.be32((x - hi * 4294967296) >>> 0);
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  uvarint(x: number): void {
    this.reserve(10);
    const b = this.b;
    let p = this.len;
    while (x >= 0x80) {
      b[p++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    b[p++] = x;
    this.len = p;
  }

  /** Zig-zag then uvarint, for |x| < 2^52. */
  varint(x: number): void {
    this.uvarint(x < 0 ? -2 * x - 1 : 2 * x);
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.b.set(src, this.len);
    this.len += src.length;
  }

  uvarintBytes(src: Uint8Array): void {
    this.uvarint(src.length);
    this.bytes(src);
  }

  uvarintString(s: string): void {
    this.uvarintBytes(utf8.encode(s));
  }

  /** Zero bytes up to the next multiple of `n`. */
  align(n: number): void {
    const pad = (n - (this.len % n)) % n;
    this.reserve(pad);
    this.b.fill(0, this.len, this.len + pad);
    this.len += pad;
  }

  view(): Uint8Array {
    return this.b.subarray(0, this.len);
  }
}
