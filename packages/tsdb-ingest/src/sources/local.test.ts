import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, isStaleNaN, standaloneContext } from '@amf-foresight/core';
import { fixtureDir, rowsOf } from '../reader/fixtures.test-util.js';
import { readSamples } from '../reader/read-samples.js';
import { localSource, readLocalBlocks, readLocalSeries } from './local.js';
import { readSamplesDir, samplesFiles } from './parquet.js';

const temps: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'amf-proc-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe('the local-directory source', () => {
  it('reads the window into samples equal to the reader, bits kept, and round-trips through Parquet', async () => {
    const dir = fixtureDir('stale');
    const log = new MemoryLogger();
    const s = await readLocalBlocks({ dataDir: dir, start: 0, end: 4_000_000_000_000 }, { logger: log });
    const want = await readSamples(dir);
    expect(s.kind).toBe('samples');
    expect(s.samples.numRows).toBe(want.samples.numRows);
    const v = s.samples.getChild('v')!.toArray() as Float64Array;
    const wv = want.samples.getChild('v')!.toArray() as Float64Array;
    expect(
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(wv.buffer, wv.byteOffset, wv.byteLength)),
    ).toBe(true);
    expect([...v].filter(isStaleNaN).length).toBeGreaterThan(0);
    expect(log.records.some((x) => x.message.startsWith('available data: '))).toBe(true);
    const out = tmp();
    for (const f of samplesFiles(s)) writeFileSync(join(out, f.name), f.data);
    const back = readSamplesDir(out);
    expect(back.window).toEqual({ start: 0, end: 4_000_000_000_000 });
    expect(back.readFrom).toBe(0);
    expect(back.samples.numRows).toBe(want.samples.numRows);
    const bv = back.samples.getChild('v')!.toArray() as Float64Array;
    expect(
      Buffer.from(bv.buffer, bv.byteOffset, bv.byteLength).equals(Buffer.from(wv.buffer, wv.byteOffset, wv.byteLength)),
    ).toBe(true);
  });

  it('reads readBefore before the window start, and keeps the window asked for', async () => {
    const dir = fixtureDir('blocks');
    const start = 1700000000000 + 600_000;
    const a = await readLocalBlocks({ dataDir: dir, start, end: start + 1_800_000 });
    const b = await readLocalBlocks({ dataDir: dir, start, end: start + 1_800_000, readBefore: 300_000 });
    const first = (x: typeof a) => Math.min(...Array.from(x.samples.getChild('t')!.toArray() as BigInt64Array, Number));
    expect(first(a)).toBeGreaterThanOrEqual(start);
    expect(first(b)).toBeLessThan(start);
    expect(first(b)).toBeGreaterThanOrEqual(start - 300_000);
    expect(b.window).toEqual({ start, end: start + 1_800_000 });
    expect(b.readFrom).toBe(start - 300_000);
  });

  it('lists the series a read of the same window and selector returns, from the indexes alone', async () => {
    const dir = fixtureDir('blocks');
    const start = 1700000000000 + 600_000;
    for (const matchers of [undefined, '{job="demo"}', '{__name__=~"demo_.+", room!="plain"}']) {
      const o = {
        dataDir: dir,
        start,
        end: start + 5 * 3_600_000,
        readBefore: 300_000,
        ...(matchers ? { matchers } : {}),
      };
      const [series, samples] = [await readLocalSeries(o), await readLocalBlocks(o)];
      expect(series.numRows, matchers).toBeGreaterThan(0);
      expect(rowsOf(series)).toEqual(rowsOf(samples.series));
    }
    await expect(readLocalSeries({ dataDir: dir, start, end: start + 1, matchers: '{job="none"}' })).rejects.toThrow(
      expect.objectContaining({ code: 'NO_SERIES_MATCHED' }),
    );
  });

  it('reads only blocks of a data directory and notes what it leaves out', async () => {
    const dir = tmp();
    cpSync(fixtureDir('blocks'), dir, { recursive: true });
    mkdirSync(join(dir, 'wal'));
    mkdirSync(join(dir, 'chunks_head'));
    mkdirSync(join(dir, '01ABCDEFGHJKMNPQRSTVWXYZ00.tmp-for-creation'));
    const log = new MemoryLogger();
    const facts: Record<string, unknown> = {};
    await localSource({ dataDir: dir, start: 1700000000000, end: 1700003600000, matchers: '{job="demo"}' }).run(
      undefined,
      standaloneContext({ logger: log, record: (f) => Object.assign(facts, f) }),
    );
    expect(facts['blocksRead']).toBe(1);
    const notes = log.records.filter((x) => x.message.startsWith('note: ')).map((x) => x.message);
    expect(notes.join('\n')).toMatch(/wal is not read/);
    expect(notes.join('\n')).toMatch(/chunks_head is not read/);
    expect(notes.join('\n')).toMatch(/tmp-for-creation is not read/);
  });

  it('a window outside the available range is DATA_OUT_OF_RANGE (exit 3) and states the range', async () => {
    await expect(
      readLocalBlocks({ dataDir: fixtureDir('blocks'), start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) }),
    ).rejects.toMatchObject({
      code: 'DATA_OUT_OF_RANGE',
      exitCode: 3,
      message:
        'no data between 2024-01-01 00:00:00 and 2024-01-02 00:00:00: the blocks hold 2023-11-14 ' +
        '22:13:20 to 2023-11-15 12:08:20 (UTC)',
    });
  });

  it('a window partly outside the data: one warning with the available range, and the clipping recorded', async () => {
    const log = new MemoryLogger();
    const facts: Record<string, unknown> = {};
    const s = await readLocalBlocks(
      { dataDir: fixtureDir('blocks'), start: Date.UTC(2023, 10, 14, 20), end: Date.UTC(2023, 10, 14, 23) },
      { logger: log, record: (f) => Object.assign(facts, f) },
    );
    expect(s.samples.numRows).toBeGreaterThan(0);
    const warnings = log.records.filter((r) => r.level === 'warn').map((r) => r.message);
    expect(warnings).toEqual([
      'the window 2023-11-14 20:00:00 to 2023-11-14 23:00:00 reaches outside the data (2023-11-14 ' +
        '22:13:20 to 2023-11-15 12:08:20 UTC): only 2023-11-14 22:13:20 to 2023-11-14 23:00:00 has data',
    ]);
    expect(facts['clipped']).toEqual({
      asked: ['2023-11-14 20:00:00', '2023-11-14 23:00:00'],
      available: ['2023-11-14 22:13:20', '2023-11-15 12:08:20'],
      used: ['2023-11-14 22:13:20', '2023-11-14 23:00:00'],
    });
  });

  it('a directory without blocks is NO_BLOCKS (exit 3)', async () => {
    await expect(readLocalBlocks({ dataDir: tmp(), start: 0, end: 1 })).rejects.toMatchObject({
      code: 'NO_BLOCKS',
      exitCode: 3,
    });
  });
});

describe('nothing selected', () => {
  it('a matcher that selects nothing is NO_SERIES_MATCHED (exit 3), not an empty success', async () => {
    await expect(
      readLocalBlocks({
        dataDir: fixtureDir('blocks'),
        start: 1700000000000,
        end: 1700003600000,
        matchers: '{job="no-such-job"}',
      }),
    ).rejects.toMatchObject({ code: 'NO_SERIES_MATCHED', exitCode: 3 });
  });
});
