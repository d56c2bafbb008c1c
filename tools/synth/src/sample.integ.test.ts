import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listBlocks, querySamples, openBlocksFor, writeDump } from '@amf-foresight/tsdb-ingest';
import type { SynthOptions } from './model.js';
import { simulate } from './simulate.js';

const SAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages/cli/sample-data');
const BLOCKS = join(SAMPLE, 'blocks');
const synth = JSON.parse(readFileSync(join(SAMPLE, 'synth.json'), 'utf8')) as {
  options: SynthOptions & { start: string };
};
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe('the embedded sample (packages/cli/sample-data)', () => {
  const { blocks } = listBlocks(BLOCKS);

  it('ends every series of the restarted AMF pod with a staleness marker (0x7ff0000000000002), and only those', () => {
    const pods = (
      JSON.parse(readFileSync(join(SAMPLE, 'synth.json'), 'utf8')) as { pods: { name: string; to: number }[] }
    ).pods;
    const ends = new Date(synth.options.start).getTime() + synth.options.days * 86_400_000;
    const gone = pods.filter((p) => p.to < ends - 60_000);
    expect(gone.map((p) => p.name)).toHaveLength(1);
    const r = querySamples(openBlocksFor([BLOCKS], {}), {});
    const u = new Uint32Array(r.v.buffer, r.v.byteOffset, r.v.length * 2);
    const marked = new Set<string>();
    for (let s = 0; s < r.labels.length; s++)
      for (let i = r.offsets[s]!; i < r.offsets[s + 1]!; i++)
        if (u[2 * i + 1] === 0x7ff00000 && u[2 * i] === 2) {
          expect(i).toBe(r.offsets[s + 1]! - 1); // the last sample of its series
          expect(Number(r.t[i]!)).toBeGreaterThan(gone[0]!.to);
          marked.add(r.labels[s]!.join(' '));
        }
    const ofGone = r.labels.filter((l) => l[l.indexOf('pod') + 1] === gone[0]!.name);
    expect(ofGone.length).toBeGreaterThan(10);
    expect([...marked].sort()).toEqual(ofGone.map((l) => l.join(' ')).sort());
  });

  it('spans at least 7 days in compacted (level > 1) and level-1 blocks', () => {
    const min = Math.min(...blocks.map((b) => b.meta.minTime));
    const max = Math.max(...blocks.map((b) => b.meta.maxTime));
    expect(max - min).toBeGreaterThanOrEqual(7 * 86_400_000 - 60_000);
    expect(blocks.some((b) => b.meta.compaction.level > 1)).toBe(true);
    expect(blocks.some((b) => b.meta.compaction.level === 1)).toBe(true);
    expect(readFileSync(join(SAMPLE, 'PROMETHEUS_VERSION'), 'utf8')).toMatch(/^promtool, version 2\.42\.0/);
  });

  it('dumps exactly as promtool does, across compacted and level-1 blocks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'amf-sample-'));
    temps.push(dir);
    cpSync(BLOCKS, dir, { recursive: true });
    mkdirSync(join(dir, 'wal'));
    const match = '{__name__=~"container_cpu_usage_seconds_total|container_spec_cpu_quota", pod=~"open5gs-amf.*"}';
    const want = execFileSync('promtool', ['tsdb', 'dump', `--match=${match}`, dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    let got = '';
    writeDump(querySamples(openBlocksFor(dir), { matchers: match, promtool242: true }), (t) => (got += t));
    expect(want.split('\n').length).toBeGreaterThan(100_000);
    expect(got === want).toBe(true);
  });

  it('is reproduced sample for sample by the simulator with the same seed (first day)', () => {
    const o: SynthOptions = { ...synth.options, start: Date.parse(synth.options.start) };
    const expected = new Map<string, { t: number[]; v: number[] }>();
    simulate(o).run((series) => {
      for (const s of series) {
        const named: Record<string, string> = { __name__: s.metric, ...s.labels };
        const labels = Object.entries(named).filter(([, v]) => v !== '');
        labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        expected.set(JSON.stringify(labels), { t: s.t, v: s.v });
      }
      return false; // the first day is enough
    });
    const dayEnd = o.start + 86_400_000 - 1;
    const r = querySamples(openBlocksFor(BLOCKS, { maxTime: dayEnd }), { maxTime: dayEnd });
    expect(r.labels.length).toBe(expected.size);
    const t32 = new Int32Array(r.t.buffer, r.t.byteOffset, r.t.length * 2);
    for (let s = 0; s < r.labels.length; s++) {
      const l = r.labels[s]!;
      const pairs: [string, string][] = [];
      for (let i = 0; i < l.length; i += 2) pairs.push([l[i]!, l[i + 1]!]);
      const e = expected.get(JSON.stringify(pairs));
      expect(e, JSON.stringify(pairs)).toBeDefined();
      const a = r.offsets[s]!;
      const b = r.offsets[s + 1]!;
      const ts = Array.from(
        { length: b - a },
        (_, i) => t32[2 * (a + i) + 1]! * 4294967296 + (t32[2 * (a + i)]! >>> 0),
      );
      expect(ts).toEqual(e!.t);
      expect(Array.from(r.v.subarray(a, b))).toEqual(e!.v);
    }
  });
});
