import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { SynthOptions } from './model.js';
import { toOpenMetrics } from './openmetrics.js';
import { simulate } from './simulate.js';
import type { TruthRow } from './simulate.js';

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

/**
 * Runs the simulation and turns each day of OpenMetrics into TSDB blocks in `outDir` with
 * `promtool tsdb create-blocks-from openmetrics`; writes the ground truth to `truthFile`
 * (gzipped CSV). `log` receives one line per day.
 */
export async function writeBlocks(
  o: SynthOptions,
  outDir: string,
  truthFile: string,
  log: (line: string) => void = () => {},
): Promise<SynthResult> {
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'amf-synth-'));
  const gz = createGzip({ level: 9 });
  const truthOut = createWriteStream(truthFile);
  gz.pipe(truthOut);
  gz.write(TRUTH_HEADER);
  const sim = simulate(o);
  let samples = 0;
  const seriesKeys = new Set<string>();
  try {
    sim.run((series, truth, day) => {
      const om = join(tmp, `day-${day}.om`);
      const fd = openSync(om, 'w');
      toOpenMetrics(series, (chunk) => writeSync(fd, chunk));
      closeSync(fd);
      execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, outDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      rmSync(om);
      for (const s of series) {
        samples += s.t.length;
        seriesKeys.add(JSON.stringify(s.labels) + s.metric);
      }
      gz.write(truthCsv(truth));
      log(`day ${day + 1}/${o.days}: ${series.reduce((a, s) => a + s.t.length, 0)} samples in ${series.length} series`);
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
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
