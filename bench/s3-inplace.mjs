#!/usr/bin/env node
// In-place S3 reads against sync-then-read (issue 16), one run. A block set shaped like a cluster
// (tools/go-dump/cmd/clusterblocks: 100 800 cAdvisor series, a day at a 30 s scrape, written by
// Prometheus's own BlockWriter, 8-hour blocks as the Thanos compactor's first level makes them) is
// uploaded to an S3 API server on loopback (tools/go-dump/cmd/s3server); every request then goes through a proxy limited to 50 MB/s in all.
//   (a) amf-foresight download (the whole day) + process --local-path of the AMF selection
//   (b) amf-foresight process --source s3://… of the same selection, index headers not cached
//   (c) (b) again, index headers cached
// Printed: bytes through the proxy and wall time of each, the ratios, and the goals:
// bytes(b) ≤ 2 % of (a), time(b) ≤ 1/5 of (a), time(c) ≤ ½ time(b). Outputs are checked equal.
//   node bench/s3-inplace.mjs [--containers 8400] [--hours 24] [--block-hours 8] [--mbps 50] [--keep]
//   (--data DIR --made JSON: a block set made before by clusterblocks, for reruns)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { client, startS3Server, startThrottle, uploadTree } from './lib/s3-bench.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const containers = flag('--containers', '8400');
const hours = Number(flag('--hours', '24'));
const blockHours = flag('--block-hours', '8');
const mbps = Number(flag('--mbps', '50'));
const CLI = join(root, 'packages/cli/dist/bin.js');
const AMF = '{namespace="openverso", pod=~"open5gs-amf-.*"}';
const T0 = 1700000000000;
const iso = (t) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
// The AMF's last day but the first 10 minutes (so the 5-minute read before the window is inside the data).
const window = ['--start', iso(T0 + 600_000), '--end', iso(T0 + hours * 3_600_000 - 1000), '--match', AMF];

const work = mkdtempSync(join(tmpdir(), 'amf-inplace-'));
const given = flag('--data', undefined);
const data = given ?? join(work, 'data');
let s3;
let proxy;
try {
  console.log(
    `making ${containers} containers × 12 series, ${hours} h at 30 s, ${blockHours} h blocks (Prometheus BlockWriter)…`,
  );
  const made = given
    ? JSON.parse(flag('--made', '{}'))
    : JSON.parse(
        execFileSync(
          join(root, 'tools/go-dump/clusterblocks'),
          ['--out', data, '--containers', containers, '--hours', String(hours), '--block-hours', blockHours],
          { encoding: 'utf8' },
        ),
      );
  s3 = await startS3Server(root, join(work, 's3'));
  const total = await uploadTree(client(s3.endpoint), 'bench', 'cluster', data);
  console.log(`block set: ${made.series} series, ${made.samples} samples, ${(total / 2 ** 20).toFixed(0)} MiB in S3\n`);
  proxy = await startThrottle(s3.endpoint, mbps * 1e6);
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    bucket: 'bench',
    prefix: 'cluster',
  };
  // Asynchronous: the proxy runs in this process, so a synchronous spawn would stall it.
  const run = async (argv, extraEnv = {}) => {
    const before = { ...proxy.stats };
    const t0 = performance.now();
    let err = '';
    const code = await new Promise((res) => {
      const p = spawn(process.execPath, [CLI, ...argv, '--quiet'], { env: { ...env, ...extraEnv } });
      p.stderr.on('data', (c) => (err += c));
      p.on('exit', res);
    });
    const s = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`amf-foresight ${argv.join(' ')} failed (${code}): ${err}`);
    return { s, bytes: proxy.stats.bytes - before.bytes, requests: proxy.stats.requests - before.requests };
  };
  const cache = join(work, 'cache');
  const dl = await run(['download'], { local_path: cache });
  const rd = await run(['process', ...window, '--local-path', cache, '--out-dir', join(work, 'a')]);
  const a = { s: dl.s + rd.s, bytes: dl.bytes, requests: dl.requests };
  const heads = join(work, 'headers');
  const b = await run(['process', ...window, '--source', 's3', '--index-cache', heads, '--out-dir', join(work, 'b')]);
  const c = await run(['process', ...window, '--source', 's3', '--index-cache', heads, '--out-dir', join(work, 'c')]);
  const same = spawnSync('sh', [
    '-c',
    `cmp ${join(work, 'b/samples.parquet')} ${join(work, 'c/samples.parquet')}`,
  ]).status;
  const check = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { readSamplesDir } from '${join(root, 'packages/tsdb-ingest/dist/parquet.js')}';
       const [x, y] = ['a', 'b'].map((d) => readSamplesDir('${work}/' + d));
       const eq = (p, q) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(Buffer.from(q.buffer, q.byteOffset, q.byteLength));
       const ok = ['series_id', 't', 'v'].every((c) => eq(x.samples.getChild(c).toArray(), y.samples.getChild(c).toArray()));
       console.log(JSON.stringify({ ok, rows: x.samples.numRows, series: x.series.numRows }));`,
    ],
    { encoding: 'utf8' },
  );
  const eq = JSON.parse(check);
  const mib = (n) => (n / 2 ** 20).toFixed(1).padStart(8) + ' MiB';
  console.log(
    `selection ${AMF}: ${eq.series} series, ${eq.rows} samples; in-place output equals (a): ${eq.ok}` +
      `${same === 0 ? '' : ' (second in-place output differs!)'}`,
  );
  console.log('                                           bytes       GETs+lists   wall');
  console.log(
    `(a) download + process --local-path   ${mib(a.bytes)}   ${String(a.requests).padStart(8)}   ${a.s.toFixed(1).padStart(6)} s`,
  );
  console.log(
    `(b) process --source s3, cold headers ${mib(b.bytes)}   ${String(b.requests).padStart(8)}   ${b.s.toFixed(1).padStart(6)} s`,
  );
  console.log(
    `(c) process --source s3, warm headers ${mib(c.bytes)}   ${String(c.requests).padStart(8)}   ${c.s.toFixed(1).padStart(6)} s`,
  );
  const g = (ok) => (ok ? 'reached' : 'NOT reached');
  const rb = b.bytes / a.bytes;
  const rt = b.s / a.s;
  const rw = c.s / b.s;
  console.log(`\nbytes (b)/(a) = ${(rb * 100).toFixed(2)} % (goal ≤ 2 %: ${g(rb <= 0.02)})`);
  console.log(`time  (b)/(a) = ${rt.toFixed(3)} (goal ≤ 0.2: ${g(rt <= 0.2)})`);
  console.log(`time  (c)/(b) = ${rw.toFixed(3)} (goal ≤ 0.5: ${g(rw <= 0.5)})`);
  if (!eq.ok) process.exitCode = 1;
} finally {
  await proxy?.close();
  s3?.stop();
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
