#!/usr/bin/env node
// Benchmark of the TSDB readers on one block set made in this run (≥ 10 M samples):
//   TS   readSamples → Arrow columns (fresh process per run; also best of 3 warm runs)
//   Go   tools/go-dump --count (Prometheus's own tsdb package; fresh process per run)
//   promtool tsdb dump > /dev/null (Prometheus 2.42)
// Prints samples/s of each and the ratios TS/Go and TS/promtool, plus the TS peak RSS.
// Goal (issue 2): TS ≥ 0.5 × Go and ≥ 20 × promtool.
//
//   node bench/tsdb-read.mjs [--series 2000] [--samples 5000] [--keep DIR]
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
const nSeries = Number(opt('--series', 2000));
const nSamples = Number(opt('--samples', 5000));
const goDump = join(root, 'tools/go-dump/go-dump');
const benchBlocks = join(root, 'tools/go-dump/benchblocks');

const work = mkdtempSync(join(tmpdir(), 'amf-bench-'));
const data = join(work, 'data');
const fmt = (x) => (x / 1e6).toFixed(2).padStart(7) + ' M samples/s';

function wall(cmd, argv, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { s, stdout: r.stdout };
}

try {
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
  let rss = 0;
  for (let k = 0; k < 3; k++) {
    const r = JSON.parse(
      wall(process.execPath, [join(root, 'bench/tsdb-read-child.mjs'), data, '1'], { cwd: root }).stdout,
    );
    if (r.samples !== made.samples) throw new Error(`TS reader read ${r.samples} samples, want ${made.samples}`);
    cold.push(r.runs[0]);
    rss = Math.max(rss, r.maxRssMiB);
  }
  const warm = JSON.parse(
    wall(process.execPath, [join(root, 'bench/tsdb-read-child.mjs'), data, '4'], { cwd: root }).stdout,
  );
  const tsCold = made.samples / Math.min(...cold);
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
  console.log(`TS readSamples → Arrow, fresh process   ${fmt(tsCold)}   (best of 3; reading from page cache)`);
  console.log(`TS readSamples → Arrow, warm (best of 3) ${fmt(tsWarm)}`);
  console.log(`Go go-dump --count (process wall time)  ${fmt(goRate)}   (best of 3)`);
  console.log(`promtool tsdb dump > /dev/null          ${fmt(promRate)}   (1 run, ${prom.s.toFixed(1)} s)`);
  console.log('');
  console.log(
    `ratio TS/Go        ${(tsCold / goRate).toFixed(2)}   (warm: ${(tsWarm / goRate).toFixed(2)})   goal ≥ 0.5`,
  );
  console.log(
    `ratio TS/promtool  ${(tsCold / promRate).toFixed(1)}   (warm: ${(tsWarm / promRate).toFixed(1)})   goal ≥ 20`,
  );
  console.log(
    `TS peak RSS        ${rss.toFixed(0)} MiB for ${made.samples} samples (${((rss * 1048576) / made.samples).toFixed(1)} bytes/sample; the Arrow columns alone take 20 bytes/sample)`,
  );
} finally {
  if (opt('--keep', undefined) === undefined) rmSync(work, { recursive: true, force: true });
}
