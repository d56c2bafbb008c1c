#!/usr/bin/env node
// The CLI fuzzer (issue 13): seeded, property-based (fast-check). Each case runs the built CLI in a
// child process under a memory cap (--max-old-space-size) and a time cap, in a fresh directory, with
// generated arguments, generated datasets (sizes, NaN patterns, scales 1e-300…1e300, seconds or
// milliseconds, duplicates, disorder) or a damaged copy of a trained model directory. The oracle:
// exit code 0, 2 or 3; one line on stderr when non-zero (with --quiet); no crash report; nothing
// half-written (no *.tmp* left in the case's directory). Prints the figures; exits 1 on any failure.
//   node packages/cli/scripts/fuzz-cli.mjs [--cases 2000] [--seed 13] [--jobs 2] [--mem-mb 1024] [--time-s 60]
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { writeParquetFile } from '@amf-foresight/tsdb-ingest/parquet';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(root, 'packages/cli/dist/bin.js');
const SAMPLE = join(root, 'packages/cli/sample-data/blocks');
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const CASES = flag('--cases', 2000);
const SEED = flag('--seed', 13);
const JOBS = flag('--jobs', 2);
const MEM_MB = flag('--mem-mb', 1024);
const TIME_S = flag('--time-s', 60);
const work = mkdtempSync(join(tmpdir(), 'amf-fuzz-cli-'));

function run(argv, cwd) {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${MEM_MB}`, BIN, ...argv], {
      cwd,
      env: { ...process.env, TMPDIR: cwd },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_S * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, err, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

// ---- generators -------------------------------------------------------------------------------
const scale = fc.constantFrom(1e-300, 1e-15, 1e-6, 1, 100, 1e6, 1e15, 1e300);
const dataset = fc.record({
  n: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 6, max: 3000 })),
  stepMs: fc.constantFrom(1, 1000, 60_000, 300_000, 86_400_000),
  seconds: fc.boolean(),
  scale,
  nan: fc.constantFrom('none', 'some', 'trailing', 'leading', 'all', 'every-other'),
  duplicates: fc.boolean(),
  shuffled: fc.boolean(),
  negative: fc.boolean(),
  constant: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
const model = fc.constantFrom('naive', 'snaive', 'mstl', 'theta', 'arima', 'auto', 'combo', 'PROPHET', 'Arima');
const horizon = fc.oneof(fc.integer({ min: -3, max: 400 }), fc.constantFrom('0', 'abc', '1e9', '2.5', ''));
const junk = fc.oneof(
  fc.constantFrom('', '-1', '0', '1e309', 'NaN', '../..', '/dev/zero', '🙂', '--', '-x', 's3://a:b@c/d', '1ms'),
  fc.string({ maxLength: 12 }),
);
const cliArgs = fc.tuple(
  fc.constantFrom('train', 'forecast', 'generate', 'process', 'download', 'tsdb', 'demo', '--process', '--train'),
  fc.array(
    fc.tuple(
      fc.constantFrom(
        '--model',
        '--horizon',
        '--windows',
        '--season',
        '--step',
        '--type',
        '--level',
        '--metric',
        '--start',
        '--end',
        '--data',
        '--model-dir',
        '--local-path',
        '--bucket',
        '--prefix',
        '--endpoint',
        '--concurrency',
        '--model-param',
        '--backtest-step',
        '--upload',
        '--match',
        '--rate-window',
      ),
      junk,
    ),
    { maxLength: 6 },
  ),
);
const damage = fc.record({
  file: fc.constantFrom('manifest.json', 'conformal.json', 'domain.json', 'series.json', 'member-0/manifest.json'),
  how: fc.constantFrom('truncate', 'flip', 'delete', 'null', 'nan', 'dev-zero', 'strip-checksums'),
  at: fc.nat(),
});

function writeData(d, file) {
  const rand = (() => {
    let a = d.seed >>> 0;
    return () => (a = (a * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  })();
  let rows = Array.from({ length: d.n }, (_, i) => {
    const t = 1_686_000_000_000 + i * d.stepMs;
    let y = d.constant ? d.scale : d.scale * (1 + Math.sin(i / 30) + 0.3 * rand()) * (d.negative ? -1 : 1);
    if (d.nan === 'all' || (d.nan === 'some' && rand() < 0.1) || (d.nan === 'every-other' && i % 2)) y = null;
    if ((d.nan === 'trailing' && i > d.n * 0.8) || (d.nan === 'leading' && i < d.n * 0.2)) y = null;
    return { t: d.seconds ? Math.round(t / 1000) : t, y };
  });
  if (d.duplicates) rows = rows.flatMap((r, i) => (i % 7 ? [r] : [r, { ...r }]));
  if (d.shuffled) rows.sort(() => rand() - 0.5);
  writeParquetFile(
    file,
    new Table({
      unique_id: vectorFromArray(
        rows.map(() => 'fuzz'),
        new Utf8(),
      ),
      ds: vectorFromArray(
        rows.map((r) => r.t),
        new TimestampMillisecond('UTC'),
      ),
      y: vectorFromArray(
        rows.map((r) => r.y),
        new Float64(),
      ),
    }),
    { kind: 'dataset', type: 'cpu', unit: 'cores' },
  );
}

function damageModel(dir, g) {
  const p = join(dir, g.file);
  let bytes;
  try {
    bytes = readFileSync(p);
  } catch {
    return;
  }
  if (g.how === 'truncate') writeFileSync(p, bytes.subarray(0, g.at % Math.max(1, bytes.length)));
  else if (g.how === 'flip') {
    const b = Buffer.from(bytes);
    if (b.length) b[g.at % b.length] ^= 0xff;
    writeFileSync(p, b);
  } else if (g.how === 'delete') rmSync(p);
  else if (g.how === 'null') writeFileSync(p, 'null');
  else if (g.how === 'nan') writeFileSync(p, bytes.toString().replace(/\d+\.\d+/, 'NaN'));
  else if (g.how === 'dev-zero') {
    rmSync(p);
    symlinkSync('/dev/zero', p);
  } else {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete m.checksums;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    if (g.file !== 'manifest.json' && bytes.length) writeFileSync(p, bytes.toString().replace(/[0-9]/, '-'));
  }
}

// ---- one case ---------------------------------------------------------------------------------
const leftovers = (dir) =>
  readdirSync(dir, { recursive: true }).filter((f) => /\.tmp|amf-foresight-crash/.test(String(f)));

async function runCase(kind, g, modelDir) {
  const cwd = mkdtempSync(join(work, 'case-'));
  let argv;
  if (kind === 'args') argv = [g[0], ...g[1].flat(), '--quiet'];
  else if (kind === 'data') {
    writeData(g.d, join(cwd, 'd.parquet'));
    argv = ['train', '--data', 'd.parquet', '--model', g.model, '--horizon', String(g.h), '--windows', '2', '--quiet'];
  } else {
    cpSync(modelDir, join(cwd, 'model'), { recursive: true });
    damageModel(join(cwd, 'model'), g);
    argv = ['forecast', '--model-dir', 'model', '--horizon', '5', '--quiet'];
  }
  if (argv.includes('--local-path') === false && ['process', 'demo', '--process'].includes(argv[0]))
    argv.push('--local-path', SAMPLE);
  const r = await run(argv, cwd);
  const problems = [];
  if (r.signal === 'SIGKILL') problems.push(`over ${TIME_S} s`);
  else if (![0, 2, 3].includes(r.code)) problems.push(`exit ${r.code ?? r.signal}`);
  if (r.code !== 0 && r.err.trim().split('\n').length !== 1) problems.push('not one line on stderr');
  if (/\n\s+at /.test(r.err)) problems.push('a stack trace');
  const left = leftovers(cwd);
  if (left.length) problems.push(`leftovers: ${left.join(', ')}`);
  rmSync(cwd, { recursive: true, force: true });
  return { argv, ...r, problems };
}

// ---- main -------------------------------------------------------------------------------------
async function main() {
  const trained = join(work, 'trained');
  mkdirSync(trained);
  writeData(
    {
      n: 2000,
      stepMs: 300_000,
      seconds: false,
      scale: 1,
      nan: 'some',
      duplicates: false,
      shuffled: false,
      negative: false,
      constant: false,
      seed: 1,
    },
    join(trained, 'd.parquet'),
  );
  const t = await run(
    [
      'train',
      '--data',
      'd.parquet',
      '--model',
      'auto',
      '--horizon',
      '12',
      '--windows',
      '2',
      '--out-dir',
      'o',
      '--quiet',
    ],
    trained,
  );
  if (t.code !== 0) throw new Error(`could not train the model to damage: ${t.err}`);
  const modelDir = join(trained, 'o', 'model');
  const gen = fc.oneof(
    cliArgs.map((g) => ['args', g]),
    fc.record({ d: dataset, model, h: horizon }).map((g) => ['data', g]),
    damage.map((g) => ['model', g]),
  );
  const cases = fc.sample(gen, { numRuns: CASES, seed: SEED });
  const stats = { cases: 0, byExit: {}, failures: [], maxSeconds: 0, byKind: {} };
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const [kind, g] = cases[next++];
      const r = await runCase(kind, g, modelDir);
      stats.cases++;
      stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
      stats.byExit[r.code ?? r.signal] = (stats.byExit[r.code ?? r.signal] ?? 0) + 1;
      stats.maxSeconds = Math.max(stats.maxSeconds, r.seconds);
      if (r.problems.length)
        stats.failures.push({ kind, argv: r.argv.join(' '), problems: r.problems, err: r.err.slice(0, 300) });
      if (stats.cases % 100 === 0)
        process.stderr.write(`${stats.cases}/${cases.length} cases, ${stats.failures.length} failures\n`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  rmSync(work, { recursive: true, force: true });
  console.log(
    `fuzz-cli: ${stats.cases} cases (seed ${SEED}; ${JSON.stringify(stats.byKind)}), caps ${MEM_MB} MiB heap and ${TIME_S} s per case`,
  );
  console.log(`exit codes: ${JSON.stringify(stats.byExit)}; slowest case ${stats.maxSeconds.toFixed(1)} s`);
  console.log(`failures: ${stats.failures.length}`);
  for (const f of stats.failures.slice(0, 30))
    console.log(`  [${f.kind}] ${f.argv}\n    ${f.problems.join('; ')}\n    ${f.err.replace(/\n/g, '\n    ')}`);
  process.exitCode = stats.failures.length ? 1 : 0;
}
await main();
