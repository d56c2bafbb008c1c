import { describe, expect, it } from 'vitest';
import { decodeXor, readNumSamples } from './xor.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
}

function decode(data: Uint8Array): { t: number[]; v: number[]; bits: string[] } {
  const n = readNumSamples(data);
  const tb = new BigInt64Array(n);
  const vb = new Float64Array(n);
  const r = decodeXor(data, { t32: new Int32Array(tb.buffer), v32: new Uint32Array(vb.buffer) }, 0);
  if (!r.ok) throw new Error(r.error);
  const dv = new DataView(vb.buffer);
  return {
    t: [...tb].map(Number),
    v: [...vb],
    bits: [...vb].map((_, i) =>
      dv
        .getBigUint64(i * 8, true)
        .toString(16)
        .padStart(16, '0'),
    ),
  };
}

/** A reference encoder written from docs/TSDB_FORMAT.md §6 (BigInt, bit by bit: slow and plain). */
function encodeXor(ts: bigint[], vbits: bigint[]): Uint8Array {
  const bits: number[] = [];
  const put = (x: bigint, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push(Number((x >> BigInt(i)) & 1n));
  };
  const bytes: number[] = [(ts.length >> 8) & 255, ts.length & 255];
  const uvar = (u: bigint) => {
    while (u >= 0x80n) {
      bytes.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    bytes.push(Number(u));
  };
  uvar(ts[0]! >= 0n ? ts[0]! << 1n : (-ts[0]! << 1n) - 1n);
  for (let i = 7; i >= 0; i--) bytes.push(Number((vbits[0]! >> BigInt(i * 8)) & 255n));
  if (ts.length === 1) return Uint8Array.from(bytes);
  let tdelta = ts[1]! - ts[0]!;
  uvar(tdelta);
  let lead = -1;
  let trail = 0;
  const xorBlock = (prev: bigint, cur: bigint) => {
    const x = prev ^ cur;
    if (x === 0n) {
      put(0n, 1);
      return;
    }
    let l = 0;
    while (l < 64 && ((x >> BigInt(63 - l)) & 1n) === 0n) l++;
    let tr = 0;
    while (tr < 64 && ((x >> BigInt(tr)) & 1n) === 0n) tr++;
    if (l > 31) l = 31;
    if (lead >= 0 && l >= lead && tr >= trail) {
      put(2n, 2);
      put(x >> BigInt(trail), 64 - lead - trail);
      return;
    }
    lead = l;
    trail = tr;
    const m = 64 - l - tr;
    put(3n, 2);
    put(BigInt(l), 5);
    put(BigInt(m === 64 ? 0 : m), 6);
    put(x >> BigInt(tr), m);
  };
  xorBlock(vbits[0]!, vbits[1]!);
  // A control prefix, then the delta of deltas in `bits` bits (two's complement).
  const put2 = (prefix: bigint, n: number, dod: bigint, bits: number) => {
    put(prefix, n);
    put(BigInt.asUintN(bits, dod), bits);
  };
  for (let i = 2; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    const dod = d - tdelta;
    tdelta = d;
    if (dod === 0n) put(0n, 1);
    else if (dod >= -8191n && dod <= 8192n) put2(2n, 2, dod, 14);
    else if (dod >= -65535n && dod <= 65536n) put2(6n, 3, dod, 17);
    else if (dod >= -524287n && dod <= 524288n) put2(14n, 4, dod, 20);
    else put2(15n, 4, dod, 64);
    xorBlock(vbits[i - 1]!, vbits[i]!);
  }
  while (bits.length % 8 !== 0) bits.push(0);
  for (let i = 0; i < bits.length; i += 8) bytes.push(bits.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0));
  return Uint8Array.from(bytes);
}

describe('decodeXor', () => {
  it('decodes the worked example of docs/TSDB_FORMAT.md §6 (a chunk promtool wrote)', () => {
    const data = hex('000a 80dae281fa62 4032000000000000 9875 e40dc42d2e01f45345bc4f42');
    const r = decode(data);
    expect(r.t[0]).toBe(1700003600000);
    expect(r.t).toEqual(Array.from({ length: 10 }, (_, i) => 1700003600000 + i * 15000));
    expect(r.v.slice(0, 4)).toEqual([18, 18.125, 18.25, 18.375]);
    expect(r.v[9]).toBe(19.125);
  });

  it('round-trips random series through a reference encoder: every dod width, NaN payloads, 64-bit windows', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let run = 0; run < 300; run++) {
      const n = 1 + Math.floor(rnd() * 200);
      const ts: bigint[] = [];
      const vs: bigint[] = [];
      let t = BigInt(Math.floor((rnd() - 0.3) * 2e12));
      let v = BigInt.asUintN(64, BigInt(Math.floor(rnd() * 2 ** 52)) << 12n);
      for (let i = 0; i < n; i++) {
        ts.push(t);
        vs.push(v);
        const gaps = [15000n, 15000n, 15037n, 60000n, 300000n, 660000n, 1n, 10n ** 12n];
        t += gaps[Math.floor(rnd() * gaps.length)]!;
        const kind = rnd();
        if (kind < 0.3)
          v = v; // unchanged
        else if (kind < 0.5) v ^= BigInt(Math.floor(rnd() * 2 ** 20)) << 20n;
        else if (kind < 0.6)
          v = 0x7ff0000000000002n; // staleness marker
        else if (kind < 0.7)
          v = BigInt.asUintN(64, BigInt(Math.floor(rnd() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rnd() * 2 ** 32)));
        else if (kind < 0.8)
          v ^= 1n; // window with trail = 0
        else v ^= 1n << 63n; // sign flip: leading 0
      }
      const got = decode(encodeXor(ts, vs));
      expect(got.t).toEqual(ts.map(Number));
      expect(got.bits).toEqual(vs.map((x) => x.toString(16).padStart(16, '0')));
    }
  });

  it('reports damaged chunks instead of throwing or reading past them', () => {
    const data = hex('000a 80dae281fa62 4032000000000000 9875 e40dc42d2e01f45345bc4f42');
    const short = data.subarray(0, data.length - 3);
    const n = readNumSamples(short);
    const out = { t32: new Int32Array(2 * n), v32: new Uint32Array(2 * n) };
    const r = decodeXor(short, out, 0);
    expect(r.ok).toBe(false);
    expect(decodeXor(new Uint8Array([0]), out, 0).ok).toBe(false);
    expect(decodeXor(new Uint8Array([0, 0]), out, 0)).toEqual({ ok: true, n: 0 });
  });

  it('stops at the end of the data on a stream of all-one bits (widest fields)', () => {
    for (let len = 2; len < 80; len++) {
      const d = new Uint8Array(len).fill(0xff);
      const r = decodeXor(d, { t32: new Int32Array(2 * 65535), v32: new Uint32Array(2 * 65535) }, 0);
      expect(r.ok).toBe(false);
    }
  });

  it('never throws on random bytes (bounded by num_samples)', () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let k = 0; k < 2000; k++) {
      const len = 2 + Math.floor(rnd() * 300);
      const d = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      const n = readNumSamples(d);
      const out = { t32: new Int32Array(2 * n), v32: new Uint32Array(2 * n) };
      expect(() => decodeXor(d, out, 0)).not.toThrow();
    }
  });
});
