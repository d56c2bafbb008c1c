#!/usr/bin/env node
// Streaming `process` (issue 16): every series of a cluster-shaped block set (tools/go-dump/cmd/
// clusterblocks: 100 800 cAdvisor series at a 30 s scrape, Prometheus BlockWriter, 8-hour blocks)
// into Parquet, at three sizes (6, 12 and 24 hours by default), each in its own process under GNU
// time. Printed: samples, wall time, peak RSS, and time per sample as a ratio to the smallest size
// (1.0 = linear). Goal: peak RSS < 1.5 GiB at every size, time linear in the samples.
//   node bench/process-stream.mjs [--hours 6,12,24] [--containers 8400]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const HOURS = flag('--hours', '6,12,24').split(',').map(Number);
const containers = flag('--containers', '8400');
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error('GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time');
const T0 = 1700000000000;
const iso = (t) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
const work = mkdtempSync(join(tmpdir(), 'amf-stream-'));
const rows = [];
try {
  for (const hours of HOURS) {
    const data = join(work, `h${hours}`);
    const made = JSON.parse(
      execFileSync(
        join(root, 'tools/go-dump/clusterblocks'),
        ['--out', data, '--containers', containers, '--hours', String(hours), '--block-hours', '8'],
        { encoding: 'utf8' },
      ),
    );
    const out = join(work, `out${hours}`);
    const r = spawnSync(
      TIME,
      [
        '-f',
        '%e %M',
        '-o',
        join(work, 'time.txt'),
        process.execPath,
        join(root, 'packages/cli/dist/bin.js'),
        'process',
        ...['--local-path', data, '--start', iso(T0 - 60_000), '--end', iso(T0 + hours * 3_600_000)],
        ...['--out-dir', out, '--read-before', '0', '--output', 'json', '--quiet'],
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`process failed: ${r.stderr}`);
    const [secs, kib] = readFileSync(join(work, 'time.txt'), 'utf8').trim().split('\n').pop().split(' ').map(Number);
    const got = JSON.parse(r.stdout);
    if (got.samples !== made.samples)
      throw new Error(`process wrote ${got.samples} samples, the set has ${made.samples}`);
    rows.push({ hours, series: got.series, samples: got.samples, secs, rssMiB: kib / 1024 });
    rmSync(data, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
  const base = rows[0].secs / rows[0].samples;
  console.log('hours  series     samples      wall     peak RSS   time/sample ÷ smallest');
  for (const r of rows)
    console.log(
      `${String(r.hours).padStart(5)}  ${r.series}  ${String(r.samples).padStart(11)}  ${r.secs.toFixed(1).padStart(7)} s` +
        `  ${r.rssMiB.toFixed(0).padStart(6)} MiB   ${(r.secs / r.samples / base).toFixed(2)}`,
    );
  const maxRss = Math.max(...rows.map((r) => r.rssMiB));
  const worst = Math.max(...rows.map((r) => r.secs / r.samples / base));
  console.log(`\npeak RSS ${maxRss.toFixed(0)} MiB (goal < 1536 MiB: ${maxRss < 1536 ? 'reached' : 'NOT reached'})`);
  console.log(`time per sample at most ${worst.toFixed(2)}× the smallest size's (linear: ≈ 1)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
