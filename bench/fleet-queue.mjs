#!/usr/bin/env node
// Fleet queue throughput (issue 18): a synthetic fleet (tools/synth: 5 sites × 7 network functions,
// 210 fleet series, 3 days at a 60 s scrape), recommended for a day by `amf-foresight fleet --queue`
// on a loopback redis-server with 1, then 2 `amf-foresight worker` processes of concurrency 1; and, as
// the reference measured in the same run, the one-machine fleet on 2 worker threads. Series per minute
// and the 2-worker/1-worker ratio; every run's recommendations.json must be the same bytes.
//   node bench/fleet-queue.mjs [--sites 5]   (after make build; needs Debian's redis-server)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const SITES = Number(args.includes('--sites') ? args[args.indexOf('--sites') + 1] : 5);
const work = mkdtempSync(join(tmpdir(), 'amf-fleet-queue-'));

const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function redis() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', work], {
    stdio: 'ignore',
  });
  for (
    let i = 0;
    spawnSync('redis-cli', ['-p', String(port), 'ping'])
      .stdout?.toString()
      .trim() !== 'PONG';
    i++
  ) {
    if (i > 100) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => proc.kill('SIGTERM') };
}

/** One fleet run, its fits on `extra` flags' executor; wall seconds and its recommendations. */
function fleet(blocks, runs, extra) {
  const t0 = performance.now();
  const out = execFileSync(
    process.execPath,
    [
      BIN,
      'fleet',
      '--local-path',
      blocks,
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
      runs,
      '--logs-dir',
      join(work, 'logs'),
      ...extra,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const seconds = (performance.now() - t0) / 1000;
  const s = JSON.parse(out);
  return {
    seconds,
    series: s.series,
    failed: s.failed.length,
    recs: readFileSync(join(s.runDir, 'recommendations.json')),
  };
}

try {
  execFileSync(process.execPath, [
    join(root, 'tools/synth/dist/cli.js'),
    ...['--out', join(work, 'fleet'), '--days', '3', '--sites', String(SITES), '--nfs', 'amf,smf,upf,nrf,ausf,udm,pcf'],
    ...['--scrape-interval', '60', '--no-distractors', '--seed', '5'],
  ]);
  const blocks = join(work, 'fleet/blocks');
  const r = await redis();
  const rows = [];
  for (const n of [1, 2]) {
    const queue = `${r.url}?queue=bench${n}`;
    const ws = Array.from({ length: n }, () =>
      spawn(
        process.execPath,
        [BIN, 'worker', '--queue', queue, '--concurrency', '1', '--logs-dir', join(work, 'logs')],
        {
          stdio: 'ignore',
        },
      ),
    );
    await new Promise((res) => setTimeout(res, 1500)); // the workers are up before the clock starts
    rows.push({
      what: `queue, ${n} worker process${n > 1 ? 'es' : ''}`,
      ...fleet(blocks, join(work, `runs${n}`), ['--queue', queue]),
    });
    ws.forEach((w) => w.kill('SIGTERM'));
  }
  r.stop();
  rows.push({ what: 'reference: one machine, 2 threads', ...fleet(blocks, join(work, 'runs0'), ['--workers', '2']) });
  for (const x of rows)
    console.log(
      `${x.what.padEnd(36)} ${x.series} series (${x.failed} failed) in ${x.seconds.toFixed(1)} s: ` +
        `${((x.series / x.seconds) * 60).toFixed(0)} series/min`,
    );
  const [one, two, ref] = rows;
  console.log(`\n2 workers / 1 worker: ×${(one.seconds / two.seconds).toFixed(2)} throughput on 2 cores`);
  console.log(`queue with 2 workers / one machine with 2 threads: ×${(ref.seconds / two.seconds).toFixed(2)}`);
  const same = rows.every((x) => x.recs.equals(ref.recs));
  console.log(`recommendations.json ${same ? 'identical' : 'DIFFERENT'} in all three runs`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
