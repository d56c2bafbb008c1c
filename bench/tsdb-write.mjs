#!/usr/bin/env node
// Benchmark of the TSDB block writer (issue 15) beside promtool on the same samples, in one run:
//   TS        writeBlocks (@amf-foresight/tsdb-ingest/writer) from arrays to a data directory, best of 3
//   promtool  tsdb create-blocks-from openmetrics (Prometheus 2.42) from the same samples as text, one run
// Both write 2-hour blocks; go-dump --count checks both hold every sample. Prints samples/s and the ratio.
// Goal: the TS writer ≥ 5 M samples/s on 2 cores.
//
//   node bench/tsdb-write.mjs [--series 1000] [--samples 5000]   (after make build)
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@amf-foresight/core';
import { writeBlocks } from '@amf-foresight/tsdb-ingest/writer';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
const nSeries = Number(opt('--series', 1000));
const nSamples = Number(opt('--samples', 5000));
const goDump = join(root, 'tools/go-dump/go-dump');
const work = mkdtempSync(join(tmpdir(), 'amf-bench-write-'));
const fmt = (x) => `${(x / 1e6).toFixed(2).padStart(6)} M samples/s`;

/** cAdvisor-like series: 15 s scrapes with ±10 ms jitter; CPU counters in ms steps, memory in 4 KiB pages. */
function makeSeries() {
  const rnd = seededRandom(15);
  const out = [];
  for (let s = 0; s < nSeries; s++) {
    const t = new Float64Array(nSamples);
    const v = new Float64Array(nSamples);
    let x = 1_700_000_000_000 + s * 7;
    let c = 0;
    for (let i = 0; i < nSamples; i++) {
      t[i] = x;
      x += 15_000 + Math.floor(rnd() * 21) - 10;
      v[i] = s % 2 ? (c += Math.floor(rnd() * 1e6) / 1000) : 1e8 + Math.floor(rnd() * 1e5) * 4096;
    }
    const name = s % 2 ? 'bench_cpu_usage_seconds' : 'bench_memory_working_set_bytes';
    out.push({
      labels: { __name__: name, namespace: 'openverso', pod: `open5gs-amf-${s >> 1}` },
      timestamps: t,
      values: v,
    });
  }
  return out;
}

/** The same samples as OpenMetrics text (seconds with ms decimals, exact), grouped by family. */
async function writeOpenMetrics(series, path) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  for (const name of ['bench_cpu_usage_seconds', 'bench_memory_working_set_bytes']) {
    await write(`# TYPE ${name} gauge\n`);
    for (const s of series.filter((x) => x.labels.__name__ === name)) {
      const l = `${name}{namespace="${s.labels.namespace}",pod="${s.labels.pod}"}`;
      let buf = '';
      for (let i = 0; i < s.timestamps.length; i++) {
        const ms = s.timestamps[i];
        buf += `${l} ${s.values[i]} ${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}\n`;
      }
      await write(buf);
    }
  }
  await write('# EOF\n');
  await new Promise((r) => out.end(r));
}

const count = (dir) => JSON.parse(execFileSync(goDump, ['--count', dir], { encoding: 'utf8' })).samples;

try {
  const series = makeSeries();
  const total = nSeries * nSamples;
  console.log(`${nSeries} series × ${nSamples} samples = ${total} samples\n`);
  const runs = [];
  for (let k = 0; k < 3; k++) {
    const dir = join(work, `ts-${k}`);
    const t0 = performance.now();
    writeBlocks(dir, series);
    runs.push((performance.now() - t0) / 1000);
    if (k === 0 && count(dir) !== total) throw new Error(`go-dump counts ${count(dir)} samples, want ${total}`);
    rmSync(dir, { recursive: true });
  }
  const ts = Math.min(...runs);
  const om = join(work, 'data.om');
  await writeOpenMetrics(series, om);
  const t0 = performance.now();
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, join(work, 'promtool')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const pt = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr}`);
  if (count(join(work, 'promtool')) !== total) throw new Error('promtool blocks miss samples');
  console.log(
    `TS writeBlocks (best of 3) ${fmt(total / ts)}  ${ts.toFixed(2)} s  (runs ${runs.map((x) => x.toFixed(2)).join(', ')})`,
  );
  console.log(`promtool create-blocks     ${fmt(total / pt)}  ${pt.toFixed(2)} s  (parses the text too)`);
  console.log(
    `\nTS ÷ promtool: ${(pt / ts).toFixed(1)}×; goal ≥ 5 M samples/s: ${total / ts >= 5e6 ? 'reached' : 'NOT reached'}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
