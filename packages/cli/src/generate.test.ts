import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquetFile } from '@amf-foresight/tsdb-ingest';
import { runCli, tempDirs } from './cli.test-util.js';

const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
const dirs = tempDirs('amf-gen-');
const tmp = dirs.make;
const run = runCli;
afterAll(dirs.cleanup);

let work = '';
beforeAll(async () => {
  work = tmp();
  const r = await run([
    'process',
    '--quiet',
    '--start',
    '2023-06-09 00:00:00',
    '--end',
    '2023-06-10 00:00:00',
    '--local-path',
    SAMPLE,
    '--out-dir',
    join(work, 'samples'),
    '--logs-dir',
    join(work, 'logs'),
  ]);
  expect(r.code).toBe(0);
});

describe('amf-foresight generate', () => {
  it('writes the dataset with its metadata, a PNG and a self-contained HTML plot', async () => {
    const out = join(work, 'out', 'amf-cpu.parquet');
    const r = await run([
      'generate',
      '--metric',
      'container_cpu_usage_seconds_total',
      '--type',
      'cpu',
      '--level',
      'amf',
      '--data-dir',
      join(work, 'samples'),
      '--out',
      out,
      '--logs-dir',
      join(work, 'logs'),
      '--output',
      'json',
    ]);
    expect(r.code).toBe(0);
    const { table, metadata } = readParquetFile(out);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['unique_id', 'ds', 'y', 'namespace', 'workload', 'level']);
    expect(metadata).toMatchObject({
      metric: 'container_cpu_usage_seconds_total',
      level: 'amf',
      type: 'cpu',
      step: 60_000,
      version: 1,
    });
    expect(table.numRows).toBe(1441);
    expect(new Set(Array.from(table.getChild('unique_id')!))).toEqual(new Set(['openverso/open5gs-amf/amf']));
    const png = readFileSync(join(work, 'out', 'amf-cpu.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const html = readFileSync(join(work, 'out', 'amf-cpu.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script src|<link /); // nothing fetched from elsewhere
    expect(JSON.parse(r.out)).toMatchObject({ rows: 1441 });
  });

  it.each([
    [['--type', 'cpu', '--level', 'amf'], 2, '--generate needs --metric, --type and --level'],
    [['--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'pod'], 2, 'unknown level "pod"'],
    [['--metric', 'container_cpu_usage_seconds_total', '--type', 'disk', '--level', 'amf'], 2, 'unknown type "disk"'],
    [
      ['--metric', 'node_load1', '--type', 'memory', '--level', 'amf'],
      3,
      'metric node_load1 is not in the data; present: container_cpu_usage_seconds_total',
    ],
    [
      ['--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'amf', '--nf', 'pcf'],
      3,
      'no container_cpu_usage_seconds_total series',
    ],
    [
      ['--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'amf', '--step', '10m'],
      2,
      'larger than --rate-window',
    ],
  ])('%j: exit %i, one line, no files', async (args, code, text) => {
    const outDir = join(tmp(), 'out');
    const r = await run([
      'generate',
      '--data-dir',
      join(work, 'samples'),
      '--out',
      join(outDir, 'd.parquet'),
      '--logs-dir',
      join(work, 'logs'),
      ...args,
    ]);
    expect(r.code).toBe(code);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(text);
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });

  it('says to run process first when there are no samples', async () => {
    const r = await run(['generate', '--metric', 'm', '--type', 'memory', '--level', 'amf', '--data-dir', tmp()]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('run the process step first');
  });
});
