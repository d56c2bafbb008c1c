import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDirs } from './cli.test-util.js';

const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
const dirs = tempDirs('amf-cli-proc-');
const tmp = dirs.make;
const run = runCli;
afterAll(dirs.cleanup);

/** process of 14:00–16:00 of the AMF pod's series, a JSON summary, files under `d`. */
const amfWindow = (d: string, extra: string[] = []) =>
  run([
    'process',
    ...['--start', '2023-06-06 14:00:00', '--end', '2023-06-06 16:00:00', ...extra],
    ...['--local-path', SAMPLE, '--out-dir', join(d, 'samples'), '--logs-dir', join(d, 'logs')],
    ...['--output', 'json', '--match', '{pod=~"open5gs-amf.*"}'],
  ]);

describe('amf-foresight process', () => {
  it('writes the window as Parquet and logs the available range to logs/', async () => {
    const d = tmp();
    const r = await amfWindow(d);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { samples: number; series: number; readFrom: string };
    expect(summary.series).toBe(17); // one AMF pod: 6 + 5 + 6 series over its three cgroup levels
    // 481 samples (15 s scrapes) in the window and 20 in the 5 minutes read before it for rate().
    expect(summary.samples).toBe(17 * (481 + 20));
    expect(summary.readFrom).toBe('2023-06-06 13:55:00');
    expect(readdirSync(join(d, 'samples')).sort()).toEqual(['samples.parquet', 'series.parquet']);
    const logs = readdirSync(join(d, 'logs'));
    expect(logs).toHaveLength(1);
    expect(readFileSync(join(d, 'logs', logs[0]!), 'utf8')).toContain(
      'available data: 2023-06-05 00:00:00 to 2023-06-11 23:59:45 UTC',
    );
  });

  it('--read-before 0 reads the window alone', async () => {
    const d = tmp();
    const r = await amfWindow(d, ['--read-before', '0s']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { samples: number }).samples).toBe(17 * 481);
  });

  it.each([
    [['--end', '2023-06-06 16:00:00'], 2, '--process needs --start and --end'],
    [['--start', '2023-06-06 16:00:00', '--end', '2023-06-06 14:00:00'], 2, 'must be before --end'],
    [['--start', '2023/06/06', '--end', '2023-06-06 14:00:00'], 2, 'is not a time'],
    [
      ['--start', '2024-01-01 00:00:00', '--end', '2024-01-02 00:00:00'],
      3,
      'the blocks hold 2023-06-05 00:00:00 to 2023-06-11 23:59:45 (UTC)',
    ],
  ])('%j: exit %i, one line', async (args, code, text) => {
    const d = tmp();
    const r = await run([
      'process',
      '--local-path',
      SAMPLE,
      '--out-dir',
      join(d, 'samples'),
      '--logs-dir',
      join(d, 'logs'),
      ...args,
    ]);
    expect(r.code).toBe(code);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(text);
    expect(existsSync(join(d, 'samples'))).toBe(false);
  });
});
