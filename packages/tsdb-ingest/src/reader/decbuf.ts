import { TsdbError } from './errors.js';

const utf8 = new TextDecoder('utf-8');

/**
 * A bounds-checked cursor over bytes of one file section. Every read past `end` throws
 * TSDB_TRUNCATED naming the file, the section and the offset, never a RangeError.
 * Integers are big-endian; 64-bit values are returned as numbers and must stay below
 * 2^53 (file offsets and ms timestamps do).
 */
export class Decbuf {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
    readonly file: string,
    readonly section: string,
    /** File offset of b[0], for the offsets errors report (a range of a file held alone). */
    readonly base = 0,
  ) {
    this.pos = start;
  }

  fail(what: string, at = this.pos): never {
    throw new TsdbError('TSDB_TRUNCATED', `unexpected end of data reading ${what}`, {
      file: this.file,
      section: this.section,
      offset: this.base + at,
    });
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) this.fail(what);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail('byte');
    return this.b[this.pos++]!;
  }

  be32(): number {
    this.need(4, 'BE32');
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    if (hi >= 0x200000) this.corrupt(`64-bit value ${hi}·2^32+${lo} is beyond 2^53`, this.pos - 8);
    return hi * 4294967296 + lo;
  }

  uvarint(): number {
    const b = this.b;
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('uvarint');
      const c = b[this.pos++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
    return this.corrupt('uvarint longer than 10 bytes', this.pos - 10);
  }

  varint(): number {
    const u = this.uvarint();
    // zig-zag: even → u/2, odd → -(u+1)/2 (exact while |x| < 2^53)
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** uvarint that must fit 32 bits (symbol references, counts). */
  uvarint32(): number {
    const at = this.pos;
    const x = this.uvarint();
    if (x > 0xffffffff) this.corrupt(`value ${x} does not fit 32 bits`, at);
    return x;
  }

  uvarintString(): string {
    const n = this.uvarint();
    this.need(n, 'string');
    const s = utf8.decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  corrupt(message: string, at = this.pos): never {
    throw new TsdbError('TSDB_CORRUPT', message, { file: this.file, section: this.section, offset: this.base + at });
  }
}

export function readBE32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
