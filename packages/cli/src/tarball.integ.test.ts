import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGES, installTarballs } from './cli.test-util.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURE = join(root, 'packages/tsdb-ingest/testdata/blocks');
const work = mkdtempSync(join(tmpdir(), 'amf-tarballs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bytes and packages under a node_modules folder (files as du -sb counts them). */
function footprint(dir: string): { mb: number; packages: number } {
  const bytes = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  const lock = JSON.parse(readFileSync(join(dir, '.package-lock.json'), 'utf8')) as { packages: object };
  return { mb: Math.round(bytes / 1e6), packages: Object.keys(lock.packages).length };
}

describe('models-lstm alone from its tarball (issue 17: a light install)', () => {
  it('fits and forecasts from ESM and CJS in a project with only core and models-lstm; under 120 MB', () => {
    const app = installTarballs(['core', 'models-lstm'], mkdtempSync(join(work, 'lstm-')));
    const size = footprint(join(app, 'node_modules'));
    console.log(`models-lstm alone: node_modules ${size.mb} MB, ${size.packages} packages`);
    expect(size.mb).toBeLessThan(120);
    expect(readdirSync(join(app, 'node_modules/@tensorflow')).sort()).toEqual([
      'tfjs-backend-cpu',
      'tfjs-backend-wasm',
      'tfjs-core',
      'tfjs-layers',
    ]);
    const script = (head: string) => `${head}
const ds = Array.from({ length: 400 }, (_, i) => i * 300000);
new Lstm({ epochs: 2, maxSamples: 50, maxHorizon: 3 })
  .fit({ ds, y: ds.map((_, i) => 10 + Math.sin(i / 45.8)) })
  .then((m) => {
    const f = m.predict(30);
    console.log(JSON.stringify({ n: f.mean.length, finite: f.mean.every(Number.isFinite), backend: m.backend }));
  });`;
    writeFileSync(join(app, 'a.mjs'), script("import { Lstm } from '@amf-foresight/models-lstm';"));
    writeFileSync(join(app, 'a.cjs'), script("const { Lstm } = require('@amf-foresight/models-lstm');"));
    for (const f of ['a.mjs', 'a.cjs'])
      expect(JSON.parse(execFileSync('node', [f], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual({
        n: 30,
        finite: true,
        backend: 'wasm',
      });
  }, 300_000);
});

/** Packs the built packages (`make build` first) and installs the tarballs in a fresh project. */
describe('packages from their npm pack tarballs', () => {
  it('install into a fresh project and work through their public exports, ESM and CJS', () => {
    const app = installTarballs(PACKAGES, work);
    expect(readdirSync(join(app, 'node_modules/@amf-foresight')).sort()).toEqual([
      'cli',
      'core',
      'features',
      'fleet-queue',
      'models-arima',
      'models-lstm',
      'models-prophet',
      'models-seasonal',
      'orchestrator',
      'recommend',
      'tsdb-ingest',
    ]);

    writeFileSync(
      join(app, 'esm.mjs'),
      `import { readSamples } from '@amf-foresight/tsdb-ingest';
import { InputError } from '@amf-foresight/core';
import { main } from '@amf-foresight/cli';
const r = await readSamples(${JSON.stringify(FIXTURE)}, { matchers: 'demo_requests_total' });
let out = '';
const io = { out: (t) => (out += t), err: () => {}, isTTY: false };
const code = await main(['tsdb', 'ls', ${JSON.stringify(FIXTURE)}], io);
const err = new InputError('X', 'x').exitCode;
console.log(JSON.stringify({ rows: r.samples.numRows, err, code, ls: out.split('\\n').length }));`,
    );
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { readSamples } = require('@amf-foresight/tsdb-ingest');
const { isAmfError } = require('@amf-foresight/core');
readSamples(${JSON.stringify(FIXTURE)}, { matchers: 'demo_requests_total' }).then((r) =>
  console.log(JSON.stringify({ rows: r.samples.numRows, amf: isAmfError(new Error('x')) })));`,
    );
    // The queue package from ESM and CJS (its Redis work is tested against a real server in queue.integ.test.ts).
    for (const [file, head] of [
      ['queue.mjs', "import { parseQueueUrl } from '@amf-foresight/fleet-queue';"],
      ['queue.cjs', "const { parseQueueUrl } = require('@amf-foresight/fleet-queue');"],
    ]) {
      writeFileSync(join(app, file!), `${head}\nconsole.log(parseQueueUrl('redis://r:6380/2?queue=q').display);`);
      expect(execFileSync('node', [file!], { cwd: app, encoding: 'utf8' }).trim()).toBe('redis://r:6380/2 (queue q)');
    }
    writeFileSync(
      join(app, 'models.mjs'),
      `import { SeasonalNaive } from '@amf-foresight/models-seasonal';
const ds = Array.from({ length: 20 }, (_, i) => i * 60000);
const m = await new SeasonalNaive({ season: 4 }).fit({ ds, y: ds.map((_, i) => i % 4) });
console.log(JSON.stringify(Array.from(m.predict(4).mean)));`,
    );
    expect(JSON.parse(execFileSync('node', ['models.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual([
      0, 1, 2, 3,
    ]);
    // MSTL loads augurs' WebAssembly from the installed package, from ESM and from CJS.
    const mstl = (ext: string, head: string) => `${head}
const ds = Array.from({ length: 60 }, (_, i) => i * 3600000);
new MstlEts({ periods: [24] })
  .fit({ ds, y: ds.map((_, i) => 10 + Math.sin(i / 3.8)) })
  .then((m) => console.log(JSON.stringify({ ext: '${ext}', n: m.predict(5).mean.length })));`;
    writeFileSync(join(app, 'mstl.mjs'), mstl('mjs', "import { MstlEts } from '@amf-foresight/models-seasonal';"));
    writeFileSync(join(app, 'mstl.cjs'), mstl('cjs', "const { MstlEts } = require('@amf-foresight/models-seasonal');"));
    expect(JSON.parse(execFileSync('node', ['mstl.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual({
      ext: 'mjs',
      n: 5,
    });
    expect(JSON.parse(execFileSync('node', ['mstl.cjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual({
      ext: 'cjs',
      n: 5,
    });
    // Prophet: augurs plus the Stan model's WebAssembly component, from ESM and from CJS.
    const prophet = (ext: string, head: string) => `${head}
const ds = Array.from({ length: 600 }, (_, i) => i * 300000);
new Prophet().fit({ ds, y: ds.map((_, i) => 10 + Math.sin(i / 45.8)) }).then((m) => {
  const f = m.predict(3);
  console.log(JSON.stringify({ ext: '${ext}', n: f.mean.length, ok: f.intervals[95].lo[0] < f.mean[0] }));
});`;
    writeFileSync(join(app, 'prophet.mjs'), prophet('mjs', "import { Prophet } from '@amf-foresight/models-prophet';"));
    writeFileSync(
      join(app, 'prophet.cjs'),
      prophet('cjs', "const { Prophet } = require('@amf-foresight/models-prophet');"),
    );
    expect(JSON.parse(execFileSync('node', ['prophet.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual(
      { ext: 'mjs', n: 3, ok: true },
    );
    expect(JSON.parse(execFileSync('node', ['prophet.cjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual(
      { ext: 'cjs', n: 3, ok: true },
    );
    // LSTM: TensorFlow.js with the wasm backend's files from the installed package, ESM and CJS.
    const lstm = (ext: string, head: string) => `${head}
const ds = Array.from({ length: 400 }, (_, i) => i * 300000);
new Lstm({ epochs: 2, maxSamples: 50, maxHorizon: 3 })
  .fit({ ds, y: ds.map((_, i) => 10 + Math.sin(i / 45.8)) })
  .then((m) => console.log(JSON.stringify({ ext: '${ext}', n: m.predict(3).mean.length, backend: m.backend })));`;
    writeFileSync(join(app, 'lstm.mjs'), lstm('mjs', "import { Lstm } from '@amf-foresight/models-lstm';"));
    writeFileSync(join(app, 'lstm.cjs'), lstm('cjs', "const { Lstm } = require('@amf-foresight/models-lstm');"));
    expect(JSON.parse(execFileSync('node', ['lstm.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual({
      ext: 'mjs',
      n: 3,
      backend: 'wasm',
    });
    expect(JSON.parse(execFileSync('node', ['lstm.cjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }))).toEqual({
      ext: 'cjs',
      n: 3,
      backend: 'wasm',
    });
    // features, models-arima and orchestrator through their public exports, ESM and CJS.
    const rest = (ext: string, head: string) => `${head}
const ds = Array.from({ length: 300 }, (_, i) => i * 60000);
const y = ds.map((_, i) => 5 + Math.sin(i / 9) + (i % 5) / 10);
(async () => {
  const a = await new Arima({ order: [1, 0, 0], maxHorizon: 3 }).fit({ ds, y });
  const s = await (await makeModel('SNAIVE', { season: 60 })).fit({ ds, y });
  const [arima, snaive] = [a.predict(3).mean.length, s.predict(2).mean.length];
  const out = { ext: '${ext}', levels: LEVELS.length, arima, snaive, models: modelNames().length };
  await stopArimaWorker();
  console.log(JSON.stringify(out));
})();`;
    writeFileSync(
      join(app, 'rest.mjs'),
      rest(
        'mjs',
        "import { LEVELS } from '@amf-foresight/features';\nimport { Arima, stopArimaWorker } from " +
          "'@amf-foresight/models-arima';\nimport { makeModel, modelNames } from '@amf-foresight/orchestrator';",
      ),
    );
    writeFileSync(
      join(app, 'rest.cjs'),
      rest(
        'cjs',
        "const { LEVELS } = require('@amf-foresight/features');\nconst { Arima, stopArimaWorker } = " +
          "require('@amf-foresight/models-arima');\n" +
          "const { makeModel, modelNames } = require('@amf-foresight/orchestrator');",
      ),
    );
    for (const ext of ['mjs', 'cjs']) {
      expect(
        JSON.parse(execFileSync('node', [`rest.${ext}`], { cwd: app, encoding: 'utf8', timeout: 120_000 })),
      ).toEqual({ ext, levels: 4, arima: 3, snaive: 2, models: 8 });
    }
    // The whole pipeline from CJS, on the sample blocks shipped in the cli tarball.
    writeFileSync(
      join(app, 'pipeline.cjs'),
      `const { runPipeline } = require('@amf-foresight/orchestrator');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dataDir = 'node_modules/@amf-foresight/cli/sample-data/blocks';
const source = { kind: 'local', dataDir, start: Date.UTC(2023, 5, 6, 14), end: Date.UTC(2023, 5, 6, 16) };
const metric = 'container_cpu_usage_seconds_total';
const generate = { metric, type: 'cpu', level: 'amf', namespace: 'openverso', nf: 'amf', step: 60000, rateWindow: 3e5 };
const ctx = { logger: quiet, progress: { start() {}, advance() {}, done() {} }, signal: new AbortController().signal };
const train = { model: 'NAIVE', horizon: 5, windows: 2 };
runPipeline({ runsDir: 'runs', source, generate, train }, ctx).then((r) => {
  const version = require('./' + r.runDir + '/run.json').versions['@amf-foresight/orchestrator'];
  console.log(JSON.stringify({ model: r.train.model, steps: Object.keys(r.steps), version }));
});`,
    );
    expect(
      JSON.parse(execFileSync('node', ['pipeline.cjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 })),
    ).toEqual({ model: 'NAIVE', steps: ['process', 'generate', 'train'], version: '0.1.0' });
    const esm: unknown = JSON.parse(
      execFileSync('node', ['esm.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }),
    );
    expect(esm).toEqual({ rows: 1680, err: 2, code: 0, ls: 10 });
    const cjs: unknown = JSON.parse(
      execFileSync('node', ['cjs.cjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 }),
    );
    expect(cjs).toEqual({ rows: 1680, amf: false });
    const bin = execFileSync(
      join(app, 'node_modules/.bin/amf-foresight'),
      ['tsdb', 'dump', FIXTURE, '--match', 'demo_requests_total'],
      { encoding: 'utf8' },
    );
    expect(bin.split('\n')[0]).toBe('{__name__="demo_requests_total", instance="a", job="demo"} 5 1700000000000');
    // recommend alone, ESM and CJS.
    const rec = (ext: string, head: string) => `${head}
const values = Float64Array.from({ length: 600 }, (_, i) => 0.1 + (i % 100) / 1000);
const g = { start: 0, stepMs: 60000, pods: [{ name: 'p', values }] };
const krr = krrSimple(g, 'memory');
const patch = resourcesPatch('c', { memory: { request: krr.request, limit: krr.limit } });
console.log(JSON.stringify({ ext: '${ext}', patch: patch.spec.template.spec.containers[0].resources }));`;
    writeFileSync(
      join(app, 'rec.mjs'),
      rec('mjs', "import { krrSimple, resourcesPatch } from '@amf-foresight/recommend';"),
    );
    writeFileSync(
      join(app, 'rec.cjs'),
      rec('cjs', "const { krrSimple, resourcesPatch } = require('@amf-foresight/recommend');"),
    );
    for (const ext of ['mjs', 'cjs'])
      expect(JSON.parse(execFileSync('node', [`rec.${ext}`], { cwd: app, encoding: 'utf8', timeout: 60_000 }))).toEqual(
        {
          ext,
          patch: { requests: { memory: '1Mi' }, limits: { memory: '1Mi' } },
        },
      );
    // The fleet from the installed binary: its fits on worker threads load the packed fleet-worker.js.
    const fleet = JSON.parse(
      execFileSync(
        join(app, 'node_modules/.bin/amf-foresight'),
        [
          'fleet',
          '--local-path',
          'node_modules/@amf-foresight/cli/sample-data/blocks',
          '--start',
          '2023-06-08',
          '--end',
          '2023-06-10',
          '--nf',
          'nrf',
          '--levels',
          'amf',
          '--period',
          '1d',
          '--output',
          'json',
          '--quiet',
        ],
        { cwd: app, encoding: 'utf8', timeout: 120_000 },
      ),
    ) as { series: number; failed: unknown[]; runDir: string };
    expect(fleet).toMatchObject({ series: 2, failed: [] });
    const steps = (
      JSON.parse(readFileSync(join(app, fleet.runDir, 'run.json'), 'utf8')) as {
        steps: { fleet: { workers: number } };
      }
    ).steps;
    expect(steps.fleet.workers).toBe(2);
  });
});
