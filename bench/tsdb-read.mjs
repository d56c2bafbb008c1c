#!/usr/bin/env node
// Benchmark of the TSDB readers on two block sets made in this run (10 M samples in 4 blocks; 3.5 M
// samples in 24 two-hour blocks of 300 series):
//   TS   readSamples → Arrow columns: the whole process's wall time (node, imports, read), the call
//        alone in a fresh process, and warm (best of 3 after one warm-up)
//   Go   tools/go-dump --count (Prometheus's own tsdb package; fresh process per run)
//   promtool tsdb dump > /dev/null (Prometheus 2.42)
// Prints samples/s of each and the ratios TS/Go and TS/promtool, plus the TS peak RSS.
// Goals: issue 2, the call alone ≥ 0.5 × Go and ≥ 20 × promtool; issue 16, the whole process ≥ 1.0 × Go
// and ≥ 40 × promtool on both shapes.
//
//   node bench/tsdb-read.mjs [--series N --samples M (one shape instead of the two)] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
// Two shapes (issue 16): 10 M samples in few blocks, and 3.5 M samples in 24 two-hour blocks of 300 series.
const SHAPES =
  opt('--series', undefined) !== undefined
    ? [[Number(opt('--series')), Number(opt('--samples', 5000))]]
    : [
        [2000, 5000],
        [300, 11667],
      ];
const goDump = join(root, 'tools/go-dump/go-dump');
const benchBlocks = join(root, 'tools/go-dump/benchblocks');

const work = mkdtempSync(join(tmpdir(), 'amf-bench-'));
const fmt = (x) => (x / 1e6).toFixed(2).padStart(7) + ' M samples/s';

function wall(cmd, argv, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { s, stdout: r.stdout };
}

try {
  for (const [nSeries, nSamples] of SHAPES) measure(nSeries, nSamples, join(work, `d${nSeries}`));
} finally {
  if (opt('--keep', undefined) === undefined) rmSync(work, { recursive: true, force: true });
}

function measure(nSeries, nSamples, data) {
  console.log(`making ${nSeries} series × ${nSamples} samples with Prometheus's tsdb BlockWriter…`);
  const made = JSON.parse(
    execFileSync(benchBlocks, ['--out', data, '--series', String(nSeries), '--samples', String(nSamples)], {
      encoding: 'utf8',
    }),
  );
  mkdirSync(join(data, 'wal')); // promtool 2.42 needs it
  const du = execFileSync('du', ['-sm', data], { encoding: 'utf8' }).split('\t')[0];
  console.log(`block set: ${made.samples} samples, ${made.series} series, ${du} MiB on disk\n`);

  // TS, cold: a fresh process per run, like the Go tool.
  const cold = [];
  const coldWall = [];
  let rss = 0;
  for (let k = 0; k < 3; k++) {
    const w = wall(process.execPath, [join(root, 'bench/tsdb-read-child.mjs'), data, '1'], { cwd: root });
    const r = JSON.parse(w.stdout);
    if (r.samples !== made.samples) throw new Error(`TS reader read ${r.samples} samples, want ${made.samples}`);
    cold.push(r.runs[0]);
    coldWall.push(w.s);
    rss = Math.max(rss, r.maxRssMiB);
  }
  const warm = JSON.parse(
    wall(process.execPath, [join(root, 'bench/tsdb-read-child.mjs'), data, '4'], { cwd: root }).stdout,
  );
  const tsCold = made.samples / Math.min(...cold);
  const tsWall = made.samples / Math.min(...coldWall);
  const tsWarm = made.samples / Math.min(...warm.runs.slice(1));

  const go = [];
  for (let k = 0; k < 3; k++) {
    const r = wall(goDump, ['--count', data]);
    const c = JSON.parse(r.stdout);
    if (c.samples !== made.samples) throw new Error(`go-dump counted ${c.samples} samples, want ${made.samples}`);
    go.push(r.s);
  }
  const goRate = made.samples / Math.min(...go);

  const prom = wall('sh', ['-c', `promtool tsdb dump "${data}" > /dev/null`]);
  const promRate = made.samples / prom.s;

  console.log('reader                                   rate');
  console.log(`TS whole process (node, imports, read) ${fmt(tsWall)}   (best of 3; wall time, like Go's)`);
  console.log(`TS readSamples → Arrow, fresh process   ${fmt(tsCold)}   (best of 3; the call alone)`);
  console.log(`TS readSamples → Arrow, warm (best of 3) ${fmt(tsWarm)}`);
  console.log(`Go go-dump --count (process wall time)  ${fmt(goRate)}   (best of 3)`);
  console.log(`promtool tsdb dump > /dev/null          ${fmt(promRate)}   (1 run, ${prom.s.toFixed(1)} s)`);
  console.log('');
  console.log(
    `ratio TS/Go        whole process ${(tsWall / goRate).toFixed(2)} (goal ≥ 1.0, issue 16)   call alone ` +
      `${(tsCold / goRate).toFixed(2)}   warm ${(tsWarm / goRate).toFixed(2)}`,
  );
  console.log(
    `ratio TS/promtool  whole process ${(tsWall / promRate).toFixed(1)} (goal ≥ 40)   call alone ` +
      `${(tsCold / promRate).toFixed(1)}   warm ${(tsWarm / promRate).toFixed(1)}`,
  );
  console.log(
    `TS peak RSS        ${rss.toFixed(0)} MiB for ${made.samples} samples (${((rss * 1048576) / made.samples).toFixed(1)} bytes/sample; the Arrow columns alone take 20 bytes/sample)`,
  );
  console.log('');
}
