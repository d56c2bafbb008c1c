import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger, isStaleNaN } from '@amf-foresight/core';
import { fixtureDir } from '../reader/fixtures.test-util.js';
import { readSamples } from '../reader/read-samples.js';
import { readParquetFile } from './parquet.js';
import { processBlocks } from './process.js';

const temps: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'amf-proc-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe('processBlocks', () => {
  it('writes the window as Parquet samples and series tables equal to the reader, bits kept', async () => {
    const out = tmp();
    const dir = fixtureDir('stale');
    const log = new MemoryLogger();
    const r = await processBlocks({ dataDir: dir, start: 0, end: 4_000_000_000_000, outDir: out }, { logger: log });
    const want = await readSamples(dir);
    const samples = readParquetFile(r.samplesFile);
    const series = readParquetFile(r.seriesFile);
    expect(samples.table.numRows).toBe(want.samples.numRows);
    expect(samples.metadata).toMatchObject({ kind: 'samples', start: 0, version: 1 });
    const v = samples.table.getChild('v')!.toArray() as Float64Array;
    const wv = want.samples.getChild('v')!.toArray() as Float64Array;
    expect(Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(wv.buffer, wv.byteOffset, wv.byteLength))).toBe(true);
    expect([...v].filter(isStaleNaN).length).toBeGreaterThan(0);
    expect(samples.table.getChild('t')!.toArray()).toEqual(want.samples.getChild('t')!.toArray());
    expect(series.table.getChild('pod') ?? series.table.getChild('__name__')).toBeTruthy();
    expect(series.table.numRows).toBe(want.series.numRows);
    expect(log.records.some((x) => x.message.startsWith('available data: '))).toBe(true);
  });

  it('reads only blocks of a data directory and notes what it leaves out', async () => {
    const dir = tmp();
    cpSync(fixtureDir('blocks'), dir, { recursive: true });
    mkdirSync(join(dir, 'wal'));
    mkdirSync(join(dir, 'chunks_head'));
    mkdirSync(join(dir, '01ABCDEFGHJKMNPQRSTVWXYZ00.tmp-for-creation'));
    const log = new MemoryLogger();
    const r = await processBlocks({ dataDir: dir, start: 1700000000000, end: 1700003600000, outDir: tmp(), matchers: '{job="demo"}' }, { logger: log });
    expect(r.blocksRead).toBe(1);
    const notes = log.records.filter((x) => x.message.startsWith('note: ')).map((x) => x.message);
    expect(notes.join('\n')).toMatch(/wal is not read/);
    expect(notes.join('\n')).toMatch(/chunks_head is not read/);
    expect(notes.join('\n')).toMatch(/tmp-for-creation is not read/);
  });

  it('a window outside the available range is DATA_OUT_OF_RANGE (exit 3) and states the range', async () => {
    const out = tmp();
    await expect(processBlocks({ dataDir: fixtureDir('blocks'), start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2), outDir: out })).rejects.toMatchObject({
      code: 'DATA_OUT_OF_RANGE',
      exitCode: 3,
      message: 'no data between 2024-01-01 00:00:00 and 2024-01-02 00:00:00: the blocks hold 2023-11-14 22:13:20 to 2023-11-15 12:08:20 (UTC)',
    });
    expect(existsSync(join(out, 'samples.parquet'))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });
});
