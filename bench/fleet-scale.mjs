#!/usr/bin/env node
// Fleet scale (issue 14): the simulator makes three fleets of Open5GS sites (7 network functions a site,
// 42 fleet series: NF × level × metric), 3 days at a 60 s scrape, and `amf-foresight fleet` recommends
// for a day after them, in its own process. Wall time and peak RSS against the series count, as ratios
// to the smallest fleet measured in the same run; series per minute on this machine.
//   node bench/fleet-scale.mjs [--sites 3,6,12] [--workers 2]   (after make build; needs GNU time)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const SITES = flag('--sites', '3,6,12').split(',').map(Number);
const WORKERS = flag('--workers', undefined);
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) throw new Error('GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time');
const work = mkdtempSync(join(tmpdir(), 'amf-fleet-scale-'));
const rows = [];
try {
  for (const sites of SITES) {
    const out = join(work, `s${sites}`);
    execFileSync(
      process.execPath,
      [
        join(root, 'tools/synth/dist/cli.js'),
        '--out',
        out,
        '--days',
        '3',
        '--sites',
        String(sites),
        '--nfs',
        'amf,smf,upf,nrf,ausf,udm,pcf',
        '--scrape-interval',
        '60',
        '--no-distractors',
        '--seed',
        '5',
      ],
      { stdio: 'ignore' },
    );
    const fleetArgs = [
      'fleet',
      '--local-path',
      join(out, 'blocks'),
      '--start',
      '2023-06-05 00:00:00',
      '--end',
      '2023-06-07 23:59:00',
      '--period',
      '1d',
      '--namespace',
      'site-*',
      '--output',
      'json',
      '--quiet',
      '--runs-dir',
      join(out, 'runs'),
      '--logs-dir',
      join(out, 'logs'),
      ...(WORKERS ? ['--workers', WORKERS] : []),
    ];
    // GNU time reports on stderr: both streams through a shell.
    const both = execFileSync(
      'sh',
      [
        '-c',
        `${TIME} -f 'TIME %e %M' "$@" 2>&1`,
        'sh',
        process.execPath,
        join(root, 'packages/cli/dist/bin.js'),
        ...fleetArgs,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    const [, seconds, kb] = /TIME ([\d.]+) (\d+)/.exec(both);
    const summary = JSON.parse(both.split('\n').find((l) => l.startsWith('{')));
    rows.push({
      sites,
      series: summary.series,
      failed: summary.failed.length,
      seconds: Number(seconds),
      mib: Number(kb) / 1024,
    });
    console.error(`${sites} sites: ${summary.series} series, ${seconds} s, ${(Number(kb) / 1024).toFixed(0)} MiB`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const ref = rows[0];
console.log(
  '\nsites  series  failed  wall s  peak MiB  series/min  time ÷ smallest  series ÷ smallest  memory ÷ smallest',
);
for (const r of rows)
  console.log(
    `${String(r.sites).padStart(5)}  ${String(r.series).padStart(6)}  ${String(r.failed).padStart(6)}  ` +
      `${r.seconds.toFixed(1).padStart(6)}  ${r.mib.toFixed(0).padStart(8)}  ${((60 * r.series) / r.seconds).toFixed(0).padStart(10)}  ` +
      `${(r.seconds / ref.seconds).toFixed(2).padStart(15)}  ${(r.series / ref.series).toFixed(2).padStart(17)}  ` +
      `${(r.mib / ref.mib).toFixed(2).padStart(17)}`,
  );
