#!/usr/bin/env node
// Fleet queue throughput and the processes' needs (issue 18). A synthetic fleet (tools/synth: 5 sites × 7
// network functions, 210 fleet series at a 60 s scrape) gets a week of history and is recommended for the
// week after (what deploy/'s nightly CronJob does) by `amf-foresight fleet --queue` on a loopback
// redis-server with 1, then 2 `amf-foresight worker` processes of concurrency 1; the reference, measured in
// the same run, is the one-machine fleet on 2 worker threads. Prints series per minute, the 2-worker/1-worker
// ratio, where the time goes (the producer's read and its CPU against the workers'), whether every run's
// recommendations.json is the same bytes, and requests and limits for the worker and producer containers:
// our own recommender (@amf-foresight/recommend, risk 0.05) on their CPU and memory sampled every second
// from /proc, this run taken as the forecast of the next.
//   node bench/fleet-queue.mjs [--sites 5] [--days 7] [--period 7d] [--model auto] [--write-deploy]
//   (after make build; needs Debian's redis-server)
// --write-deploy writes those as strategic-merge patches to deploy/resources/ (kustomization.yaml applies them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockMeans, deviations, podMean, recommendFromForecast, resourcesPatch } from '@amf-foresight/recommend';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SITES = Number(flag('--sites', 5));
// Seven days of history and a week ahead: what deploy/'s nightly CronJob asks for.
const DAYS = Number(flag('--days', 7));
const PERIOD = flag('--period', '7d');
const MODEL = flag('--model', 'auto');
const WRITE_DEPLOY = args.includes('--write-deploy');
const TICK_MS = 1000;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const END = new Date(Date.UTC(2023, 5, 5 + DAYS) - 60_000).toISOString().slice(0, 19).replace('T', ' ');
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
    spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG';
    i++
  ) {
    if (i > 100) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => proc.kill('SIGTERM') };
}

/** CPU (cores over the last tick) and resident memory (MiB) of each tracked process, every TICK_MS. */
function sampler() {
  const tracked = new Map();
  const read = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return { ticks: Number(f[11]) + Number(f[12]), mib: rss ? Number(rss[1]) / 1024 : NaN };
    } catch {
      return undefined; // exited
    }
  };
  const timer = setInterval(() => {
    for (const t of tracked.values()) {
      if (!t.on) continue;
      const now = read(t.pid);
      if (!now) continue;
      t.cpu.push((now.ticks - t.ticks) / CLK_TCK / (TICK_MS / 1000));
      t.mem.push(now.mib);
      t.ticks = now.ticks;
    }
  }, TICK_MS);
  return {
    track(pid, role) {
      const t = { pid, role, on: true, ticks: read(pid)?.ticks ?? 0, cpu: [], mem: [] };
      tracked.set(pid, t);
      return t;
    },
    stop: () => clearInterval(timer),
    of: (role) => [...tracked.values()].filter((t) => t.role === role),
  };
}

/** One fleet run in its own process (sampled as a producer); wall seconds, its summary and run.json. */
function fleet(blocks, runs, extra, samples) {
  const t0 = performance.now();
  const p = spawn(
    process.execPath,
    [
      BIN,
      'fleet',
      ...['--local-path', blocks, '--start', '2023-06-05 00:00:00', '--end', END],
      ...['--period', PERIOD, '--model', MODEL, '--namespace', 'site-*', '--output', 'json', '--quiet'],
      ...['--runs-dir', runs, '--logs-dir', join(work, 'logs'), ...extra],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const producer = samples.track(p.pid, extra.includes('--queue') ? 'producer' : 'one machine');
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  return new Promise((res, rej) =>
    p.once('exit', (code) => {
      producer.on = false;
      if (code !== 0) return rej(new Error(`fleet exited with ${code}`));
      const seconds = (performance.now() - t0) / 1000;
      const s = JSON.parse(out);
      const run = JSON.parse(readFileSync(join(s.runDir, 'run.json'), 'utf8'));
      res({
        seconds,
        series: s.series,
        failed: s.failed.length,
        recs: readFileSync(join(s.runDir, 'recommendations.json')),
        steps: run.steps,
        producer,
      });
    }),
  );
}

const cpuSeconds = (ts) => ts.reduce((a, t) => a + t.cpu.reduce((x, v) => x + v, 0) * (TICK_MS / 1000), 0);

/**
 * Ours (docs/RECOMMENDATIONS.md) for a container whose processes are `ts`: the run's 10-second means of
 * the per-process usage taken as the forecast of the next run, its per-second deviations from them,
 * risk 0.05 (CPU limit at 0.001; memory limit the highest plausible second × 1.15).
 */
function ours(ts, metric) {
  const n = Math.max(...ts.map((t) => t.cpu.length));
  const pods = ts.map((t, i) => ({
    name: `${t.role}-${i}`,
    values: Float64Array.from({ length: n }, (_, k) => (metric === 'cpu' ? t.cpu : t.mem)[k] ?? NaN),
  }));
  const grid = { start: 0, stepMs: TICK_MS, pods };
  const means = Array.from(blockMeans(podMean(grid), 10)).filter((v) => !Number.isNaN(v));
  const q = { start: 0, stepMs: 10 * TICK_MS, p: [0.5], values: [Float64Array.from(means)] };
  return recommendFromForecast(q, deviations(grid, 10), { metric, risk: 0.05 });
}

/**
 * Requests from ours; no CPU limit (a fit throttled is only slower); the worker's memory limit from ours
 * (a job is one workload: its needs do not grow with the fleet), none for the producer (its needs grow
 * with the fleet's series, so a limit measured on this one would kill a larger fleet's run).
 */
function containerResources(ts, memoryLimit) {
  const [cpu, memory] = [ours(ts, 'cpu'), ours(ts, 'memory')];
  return {
    cpu: { request: cpu.request, limit: null },
    memory: { request: memory.request, limit: memoryLimit ? memory.limit : null },
  };
}

function writeDeploy(name, kind, resources, container) {
  const patch = resourcesPatch(container, resources);
  const body = kind === 'CronJob' ? { spec: { jobTemplate: { spec: patch.spec } } } : { spec: patch.spec };
  const dir = join(root, 'deploy/resources');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1', kind, metadata: { name }, ...body },
      null,
      2,
    ) + '\n',
  );
  return file;
}

const samples = sampler();
try {
  execFileSync(process.execPath, [
    join(root, 'tools/synth/dist/cli.js'),
    ...[
      '--out',
      join(work, 'fleet'),
      '--days',
      String(DAYS),
      '--sites',
      String(SITES),
      '--nfs',
      'amf,smf,upf,nrf,ausf,udm,pcf',
    ],
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
    const tracked = ws.map((w) => samples.track(w.pid, 'worker'));
    const row = await fleet(blocks, join(work, `runs${n}`), ['--queue', queue], samples);
    tracked.forEach((t) => (t.on = false));
    rows.push({ what: `queue, ${n} worker process${n > 1 ? 'es' : ''}`, workers: tracked, ...row });
    ws.forEach((w) => w.kill('SIGTERM'));
    await Promise.all(ws.map((w) => new Promise((res) => w.once('exit', res))));
  }
  r.stop();
  rows.push({
    what: 'reference: one machine, 2 threads',
    workers: [],
    ...(await fleet(blocks, join(work, 'runs0'), ['--workers', '2'], samples)),
  });
  samples.stop();
  const peak = (ts) => Math.max(...ts.flatMap((t) => t.mem)).toFixed(0);
  for (const x of rows) {
    const read = Object.entries(x.steps).find(([k]) => k !== 'fleet')?.[1]?.seconds;
    const who = x.workers.length ? 'producer' : 'process';
    console.log(
      `${x.what.padEnd(36)} ${x.series} series (${x.failed} failed) in ${x.seconds.toFixed(1)} s: ` +
        `${((x.series / x.seconds) * 60).toFixed(0)} series/min; ${read !== undefined ? `read ${read.toFixed(1)} s, ` : ''}` +
        `fleet stage ${x.steps.fleet.seconds.toFixed(1)} s; CPU s / peak MiB: ${who} ` +
        `${cpuSeconds([x.producer]).toFixed(1)} / ${peak([x.producer])}` +
        (x.workers.length ? `, workers ${cpuSeconds(x.workers).toFixed(1)} / ${peak(x.workers)} each at most` : ''),
    );
  }
  const [one, two, ref] = rows;
  console.log(`\n2 workers / 1 worker: ×${(one.seconds / two.seconds).toFixed(2)} throughput on 2 cores`);
  console.log(`queue with 2 workers / one machine with 2 threads: ×${(ref.seconds / two.seconds).toFixed(2)}`);
  const perSeries = (ts, x) => ((cpuSeconds(ts) / x.series) * 1000).toFixed(0);
  console.log(
    `CPU per series: workers ${perSeries(one.workers, one)} ms, producer ${perSeries([one.producer], one)} ms ` +
      `(1 worker); workers ${perSeries(two.workers, two)} ms, producer ${perSeries([two.producer], two)} ms (2 workers)`,
  );
  const same = rows.every((x) => x.recs.equals(ref.recs));
  console.log(`recommendations.json ${same ? 'identical' : 'DIFFERENT'} in all three runs`);

  const fmt = (v) => (v === null ? '—' : v.toFixed(3));
  const need = {
    worker: containerResources([...one.workers, ...two.workers], true),
    producer: containerResources([one.producer, two.producer], false),
  };
  console.log('\nours at risk 0.05 on the sampled usage (cores; MiB):');
  for (const [role, res] of Object.entries(need))
    console.log(
      `  ${role.padEnd(9)} cpu request ${fmt(res.cpu.request)}; memory request ${fmt(res.memory.request)}, ` +
        `limit ${fmt(res.memory.limit)}`,
    );
  if (WRITE_DEPLOY) {
    console.log(writeDeploy('amf-foresight-worker', 'Deployment', need.worker, 'worker'));
    console.log(writeDeploy('amf-foresight-fleet', 'CronJob', need.producer, 'fleet'));
  }
} finally {
  samples.stop();
  rmSync(work, { recursive: true, force: true });
}
