import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@amf-foresight/cli';
import { FIXTURES, casesFor, goDump, promtoolCopy, promtoolDump } from './fixtures.test-util.js';
import type { Case } from './fixtures.test-util.js';
import { readSamples } from './read-samples.js';
import { rmSync } from 'node:fs';

async function ourDump(dir: string, c: Case): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const args = ['tsdb', 'dump', dir];
  if (c.minTime !== undefined) args.push(`--min-time=${c.minTime}`);
  if (c.maxTime !== undefined) args.push(`--max-time=${c.maxTime}`);
  if (c.match !== undefined) args.push(`--match=${c.match}`);
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

function bitsHex(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16).padStart(16, '0');
}

describe.each(FIXTURES)('fixture %s', (fixture) => {
  let dir = '';
  beforeAll(() => {
    dir = promtoolCopy(fixture);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = casesFor(fixture);

  it.each(cases)('amf-foresight tsdb dump is byte-identical to promtool tsdb dump: $name', async (c) => {
    const want = promtoolDump(dir, c);
    const got = await ourDump(dir, c);
    expect(got.code).toBe(0);
    expect(got.out.length).toBe(want.length);
    expect(got.out === want).toBe(true);
  });

  it('has samples in most cases (the comparison is not vacuous)', () => {
    const full = promtoolDump(dir, {});
    expect(full.split('\n').length).toBeGreaterThan(10);
  });

  it.each(cases.filter((c) => c.match !== '{__name__=~"(?s:.*)"}'))(
    'readSamples values are bit-identical to go-dump: $name',
    async (c) => {
      const want = goDump(dir, c);
      const r = await readSamples(dir, {
        ...(c.minTime !== undefined ? { minTime: c.minTime } : {}),
        ...(c.maxTime !== undefined ? { maxTime: c.maxTime } : {}),
        ...(c.match !== undefined ? { matchers: c.match } : {}),
      });
      const ids = r.samples.getChild('series_id')!.toArray() as Uint32Array;
      const ts = r.samples.getChild('t')!.toArray() as BigInt64Array;
      const vs = r.samples.getChild('v')!.toArray() as Float64Array;
      const names = r.series.schema.fields.map((f) => f.name).filter((n) => n !== 'series_id');
      const got: typeof want = [];
      for (let s = 0; s < r.series.numRows; s++) {
        const metric: Record<string, string> = {};
        for (const n of names) {
          const v = r.series.getChild(n)!.get(s) as string | null;
          if (v !== null) metric[n] = v;
        }
        got.push({ metric, timestamps: [], values: [] });
      }
      for (let i = 0; i < ids.length; i++) {
        const g = got[ids[i]!]!;
        g.timestamps.push(Number(ts[i]!));
        g.values.push(bitsHex(vs[i]!));
      }
      expect(got.filter((g) => g.timestamps.length > 0)).toEqual(want);
    },
  );
});
