import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { setStaleNaN } from '@amf-foresight/core';
import { batches, encodeWriteRequest } from './remote-write.js';

/** Reads a WriteRequest back field by field (the wire format, not our encoder's code). */
function decode(b: Uint8Array) {
  const r = protobuf.Reader.create(b);
  const series: { labels: [string, string][]; samples: [string, number][] }[] = [];
  while (r.pos < r.len) {
    expect(r.uint32()).toBe(0x0a);
    const end = r.uint32() + r.pos;
    const s = { labels: [] as [string, string][], samples: [] as [string, number][] };
    while (r.pos < end) {
      const tag = r.uint32();
      const len = r.uint32();
      const sub = protobuf.Reader.create(r.buf.subarray(r.pos, r.pos + len));
      r.skip(len);
      if (tag === 0x0a) {
        sub.uint32();
        const name = sub.string();
        sub.uint32();
        s.labels.push([name, sub.string()]);
      } else {
        expect(sub.uint32()).toBe(0x09);
        const bytes = sub.buf.subarray(sub.pos, sub.pos + 8);
        sub.skip(8);
        expect(sub.uint32()).toBe(0x10);
        s.samples.push([Buffer.from(bytes).reverse().toString('hex'), Number(sub.int64())]);
      }
    }
    series.push(s);
  }
  return series;
}

describe('remote write request', () => {
  it('encodes sorted labels, and each value as its 8 bytes (the staleness marker kept) with its ms timestamp', () => {
    const v = Float64Array.from([1.5, NaN]);
    setStaleNaN(v, 1);
    const got = decode(
      encodeWriteRequest([
        {
          s: {
            labels: { quantile: '0.5', __name__: 'x', empty: '' },
            timestamps: [1700000000000, 1700000060000],
            values: v,
          },
          from: 0,
          to: 2,
        },
      ]),
    );
    expect(got).toEqual([
      {
        labels: [
          ['__name__', 'x'],
          ['quantile', '0.5'],
        ],
        samples: [
          ['3ff8000000000000', 1700000000000],
          ['7ff0000000000002', 1700000060000],
        ],
      },
    ]);
    expect(snappy.uncompress(snappy.compress(encodeWriteRequest([]))).length).toBe(0);
  });

  it('splits long series across requests of at most the batch, in time order', () => {
    const s = (n: number) => ({
      labels: { __name__: `s${n}` },
      timestamps: Array.from({ length: n }, (_, i) => i),
      values: new Float64Array(n),
    });
    const b = batches([s(5), s(3), s(4)], 4);
    expect(b.map((req) => req.map((p) => `${p.s.labels.__name__}:${p.from}-${p.to}`))).toEqual([
      ['s5:0-4'],
      ['s5:4-5', 's3:0-3'],
      ['s4:0-4'],
    ]);
  });
});
