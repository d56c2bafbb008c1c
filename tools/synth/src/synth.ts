import { createWriteStream, mkdirSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { finished } from 'node:stream/promises';
import { setStaleNaN } from '@amf-foresight/core';
import { writeBlocks as writeTsdbBlocks } from '@amf-foresight/tsdb-ingest/writer';
import type { SeriesToWrite } from '@amf-foresight/tsdb-ingest/writer';
import type { SynthOptions } from './model.js';
import { simulate } from './simulate.js';
import type { SeriesBuf, TruthRow } from './simulate.js';

export interface SynthResult {
  pods: { namespace: string; workload: string; name: string; from: number; to: number }[];
  samples: number;
  series: number;
  days: number;
}

const TRUTH_HEADER =
  'ts,namespace,pod,workload,container_cpu_cores,pod_cpu_cores,container_working_set_bytes,pod_working_set_bytes\n';

export function truthCsv(rows: readonly TruthRow[]): string {
  let s = '';
  for (const r of rows) {
    const cores = `${r.containerCores.toFixed(6)},${r.podCores.toFixed(6)}`;
    s += `${new Date(r.t).toISOString()},${r.namespace},${r.pod},${r.workload},${cores},`;
    s += `${r.containerWorkingSet},${r.podWorkingSet}\n`;
  }
  return s;
}

/** A simulated series as the block writer takes it, its staleness markers with the marker's bits. */
function toWrite(s: SeriesBuf): SeriesToWrite {
  const values = Float64Array.from(s.v);
  for (const i of s.stale ?? []) setStaleNaN(values, i);
  return { labels: { __name__: s.metric, ...s.labels }, timestamps: s.t, values };
}

/**
 * Runs the simulation and writes each day as 2-hour TSDB blocks in `outDir` with our block
 * writer (OpenMetrics through promtool cannot carry staleness markers); writes the ground
 * truth to `truthFile` (gzipped CSV). `log` receives one line per day.
 */
export async function writeBlocks(
  o: SynthOptions,
  outDir: string,
  truthFile: string,
  log: (line: string) => void = () => {},
): Promise<SynthResult> {
  mkdirSync(outDir, { recursive: true });
  const gz = createGzip({ level: 9 });
  const truthOut = createWriteStream(truthFile);
  gz.pipe(truthOut);
  gz.write(TRUTH_HEADER);
  const sim = simulate(o);
  let samples = 0;
  const seriesKeys = new Set<string>();
  try {
    sim.run((series, truth, day) => {
      writeTsdbBlocks(outDir, series.map(toWrite));
      for (const s of series) {
        samples += s.t.length;
        seriesKeys.add(JSON.stringify(s.labels) + s.metric);
      }
      gz.write(truthCsv(truth));
      log(`day ${day + 1}/${o.days}: ${series.reduce((a, s) => a + s.t.length, 0)} samples in ${series.length} series`);
    });
  } finally {
    gz.end();
    await finished(truthOut);
  }
  return {
    pods: sim.pods.map((p) => ({ namespace: p.namespace, workload: p.workload, name: p.name, from: p.from, to: p.to })),
    samples,
    series: seriesKeys.size,
    days: o.days,
  };
}
