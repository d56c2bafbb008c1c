import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '@amf-foresight/tsdb-ingest';
import type { SamplesTables } from '@amf-foresight/tsdb-ingest';
import { generateDataset } from './generate.js';
import { discoverWorkloads, podUsage } from './workloads.js';

const SAMPLE = join(import.meta.dirname, '../../cli/sample-data/blocks');
// The AMF pod restarts on Friday 2023-06-09 at 09:10: a day around it.
const START = Date.UTC(2023, 5, 9);
const END = START + 86_400_000;
let samples: SamplesTables;
beforeAll(async () => {
  samples = await readSamples(SAMPLE, { minTime: START - 600_000, maxTime: END });
});

describe('the workloads of a namespace', () => {
  it('finds every Open5GS network function of the sample, and only those', () => {
    const ws = discoverWorkloads(samples.series);
    expect(ws.map((w) => `${w.namespace}/${w.name} ${w.nf} ${w.pods.length}`)).toEqual([
      'openverso/open5gs-amf amf 2',
      'openverso/open5gs-nrf nrf 1',
      'openverso/open5gs-smf smf 1',
      'openverso/open5gs-upf upf 1',
    ]);
    expect(discoverWorkloads(samples.series, { nfs: ['smf'] }).map((w) => w.name)).toEqual(['open5gs-smf']);
    expect(discoverWorkloads(samples.series, { namespace: 'open*' })).toHaveLength(4);
  });

  it('none matching is exit 3, listing what the data has', () => {
    expect(() => discoverWorkloads(samples.series, { nfs: ['ausf'] })).toThrow(
      /no network functions ausf workloads open5gs-\* in namespace openverso; the data has .*openverso: open5gs-amf/,
    );
    expect(() => discoverWorkloads(samples.series, { namespace: 'core' })).toThrow(
      expect.objectContaining({ code: 'NO_WORKLOADS', exitCode: 3 }),
    );
  });
});

describe('per-pod usage on a grid', () => {
  it('equals generate’s per-pod dataset, and knows the limits (AMF: 1 core, 512 MiB)', () => {
    const [cpu, mem, pause] = podUsage(
      samples,
      [
        { namespace: 'openverso', nf: 'amf', level: 'amf', type: 'cpu' },
        { namespace: 'openverso', nf: 'amf', level: 'amf', type: 'memory' },
        { namespace: 'openverso', nf: 'amf', level: 'support', type: 'memory' },
      ],
      { start: START, end: END, rateWindow: 300_000 },
    );
    expect(cpu!.pods.map((p) => p.name)).toEqual(['open5gs-amf-c9p82pbnrr-64fcx', 'open5gs-amf-c9p82pbnrr-g2fpr']);
    const d = generateDataset(samples, {
      metric: 'container_cpu_usage_seconds_total',
      type: 'cpu',
      level: 'amf',
      by: 'pod',
      start: START,
      end: END,
    });
    const ids = Array.from(d.table.getChild('unique_id')!) as string[];
    const y = Array.from(d.table.getChild('y')!) as (number | null)[];
    for (const p of cpu!.pods) {
      const want = y.filter((_, i) => ids[i]!.includes(p.name)).map((v) => v ?? NaN);
      expect(Array.from(p.values)).toEqual(want);
    }
    expect(cpu!.limit).toBe(1);
    expect(mem!.limit).toBe(512);
    expect(pause!.limit).toBeNull(); // the pause container has no memory limit (0)
    expect(pause!.pods).toHaveLength(2);
  });
});
