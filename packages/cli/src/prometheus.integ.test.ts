import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusForTests } from '@amf-foresight/test-servers';
import { runCli, tempDirs } from './cli.test-util.js';

const SAMPLE = join(import.meta.dirname, '../sample-data/blocks');
const dirs = tempDirs('amf-cli-prom-');
const prom = prometheusForTests(SAMPLE, { beforeAll, afterAll }, dirs.cleanup);
/** The live Prometheus and the window both tests read. */
const fromProm = () => [
  '--prometheus-url',
  prom().url,
  '--start',
  '2023-06-06 14:00:00',
  '--end',
  '2023-06-06 16:00:00',
];

describe('the prototype flags with --prometheus-url (a real Prometheus 2.42 on loopback)', () => {
  it('--process reads the HTTP API, then --generate and --train run on it in one run', async () => {
    const d = dirs.make();
    const r = await runCli([
      '--process',
      ...fromProm(),
      ...['--match', '{namespace="openverso", pod=~"open5gs-amf.*"}'],
      ...['--generate', '--metric', 'container_cpu_usage_seconds_total', '--type', 'cpu', '--level', 'amf'],
      ...['--train', '--model', 'NAIVE', '--horizon', '5', '--windows', '2'],
      ...['--runs-dir', join(d, 'runs'), '--logs-dir', join(d, 'logs'), '--output', 'json'],
    ]);
    expect(r.code, r.err).toBe(0);
    const run = JSON.parse(readFileSync(join(d, 'runs/latest/run.json'), 'utf8')) as {
      steps: Record<string, Record<string, unknown>>;
    };
    expect(run.steps['process']).toMatchObject({ source: prom().url, readFrom: '2023-06-06 13:55:00' });
    expect(run.steps['generate']!['rows']).toBe(121);
    expect(Object.keys(run.steps)).toEqual(['process', 'generate', 'train']);
  });

  it('--download with --prometheus-url is one line, exit 2', async () => {
    const r = await runCli(['--download', '--process', ...fromProm()]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('[CONFLICTING_FLAGS]');
  });
});
