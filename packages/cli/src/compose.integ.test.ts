import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDirs } from '@amf-foresight/test-servers';
import { installTarballs } from './cli.test-util.js';

const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const FIXTURE = join(REPO_ROOT, 'packages/tsdb-ingest/testdata/blocks');
const dirs = tempDirs('amf-compose-');
afterAll(dirs.cleanup);

const project = (packages: string[]): string => installTarballs(packages, dirs.make());

const node = (app: string, file: string, code: string): unknown => {
  writeFileSync(join(app, file), code);
  return JSON.parse(execFileSync('node', [file], { cwd: app, encoding: 'utf8', timeout: 120_000 }));
};

// The composition the README shows: a source, a stage of yours, generate, train with a Forecaster of yours.
const COMPOSE = `import { Table, makeVector } from 'apache-arrow';
import { futureTimes, normalIntervals } from '@amf-foresight/core';
import { localSource } from '@amf-foresight/tsdb-ingest/reader';
import { generateStage } from '@amf-foresight/features';
import { Plan, runPlan, trainStage, makeModel } from '@amf-foresight/orchestrator';

// A stage of yours: drop the series of the SMF pods.
const dropSmf = {
  name: 'drop-smf',
  async run(s, ctx) {
    const pod = s.series.getChild('pod');
    const drop = Array.from({ length: s.series.numRows }, (_, i) => String(pod.get(i) ?? '').startsWith('open5gs-smf'));
    const [sid, t, v] = ['series_id', 't', 'v'].map((c) => s.samples.getChild(c).toArray());
    const keep = [...sid.keys()].filter((i) => !drop[sid[i]]);
    ctx.record({ droppedSeries: drop.filter(Boolean).length });
    const samples = new Table({
      series_id: makeVector(Uint32Array.from(keep, (i) => sid[i])),
      t: makeVector(BigInt64Array.from(keep, (i) => t[i])),
      v: makeVector(Float64Array.from(keep, (i) => v[i])),
    });
    return { ...s, samples };
  },
};

// A Forecaster of yours: tomorrow is like today's last value.
class LastValue {
  name = 'LASTVALUE';
  async fit(s) {
    [this.last, this.ds, this.step] = [s.y[s.y.length - 1], s.ds[s.ds.length - 1], s.ds[1] - s.ds[0]];
    return this;
  }
  predict(h) {
    const mean = new Float64Array(h).fill(this.last);
    return { ds: futureTimes(this.ds, this.step, h), mean, intervals: normalIntervals(mean, new Array(h).fill(0.05)) };
  }
  save() {}
}

const window = { start: Date.UTC(2023, 5, 6, 14), end: Date.UTC(2023, 5, 6, 16), readBefore: 300_000 };
const source = localSource({ dataDir: ${JSON.stringify(SAMPLE)}, ...window, matchers: '{namespace="openverso"}' });
const plan = Plan.of(source)
  .then(dropSmf)
  .then(generateStage({ metric: 'container_cpu_usage_seconds_total', type: 'cpu', level: 'amf' }))
  .then(trainStage({ model: new LastValue(), horizon: 10, windows: 3 }));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = { logger: quiet, progress: { start() {}, advance() {}, done() {} }, signal: new AbortController().signal };
const r = await runPlan(plan, { target: { kind: 'run', runsDir: 'runs' } }, ctx);
const arima = await makeModel('ARIMA');
let lstm;
try { await makeModel('LSTM'); } catch (e) { lstm = { code: e.code, hint: e.details.hint }; }
const dropped = r.steps['drop-smf'].droppedSeries > 0;
const forecast = r.output.forecast.mean.length;
const steps = Object.keys(r.steps);
console.log(JSON.stringify({ model: r.output.metrics.model, steps, dropped, forecast, arima: arima.name, lstm }));
`;

describe('stages composed by a user, from the npm pack tarballs', () => {
  it(
    'orchestrator + models-arima install no TensorFlow, and run a plan of a source, a stage and a ' +
      'Forecaster of the user',
    () => {
      const app = project(['core', 'tsdb-ingest', 'features', 'recommend', 'orchestrator', 'models-arima']);
      expect(existsSync(join(app, 'node_modules/@tensorflow'))).toBe(false);
      expect(existsSync(join(app, 'node_modules/@amf-foresight/models-lstm'))).toBe(false);
      expect(node(app, 'compose.mjs', COMPOSE)).toEqual({
        model: 'LASTVALUE',
        steps: ['process', 'drop-smf', 'generate', 'train'],
        dropped: true,
        forecast: 10,
        arima: 'ARIMA',
        lstm: { code: 'MODEL_NOT_INSTALLED', hint: 'npm install @amf-foresight/models-lstm' },
      });
    },
  );

  it(
    '@amf-foresight/tsdb-ingest/reader loads no module of @aws-sdk/* or parquet-wasm, and core and /writer no ' +
      'apache-arrow (they are removed here), ESM and CJS',
    () => {
      const app = project(['core', 'tsdb-ingest']);
      expect(existsSync(join(app, 'node_modules/@aws-sdk/client-s3'))).toBe(true);
      rmSync(join(app, 'node_modules/@aws-sdk'), { recursive: true });
      rmSync(join(app, 'node_modules/parquet-wasm'), { recursive: true });
      const read =
        `const r = await readSamples(${JSON.stringify(FIXTURE)}, { matchers: 'demo_requests_total' ` +
        `});\nconsole.log(JSON.stringify({ rows: r.samples.numRows }));`;
      expect(
        node(app, 'reader.mjs', `import { readSamples } from '@amf-foresight/tsdb-ingest/reader';\n${read}`),
      ).toEqual({ rows: 1680 });
      expect(
        node(
          app,
          'reader.cjs',
          `const { readSamples } = require('@amf-foresight/tsdb-ingest/reader');\n(async () => { ${read} })();`,
        ),
      ).toEqual({ rows: 1680 });
      // Core loads no Arrow at run time (its types only).
      rmSync(join(app, 'node_modules/apache-arrow'), { recursive: true });
      const core = "import('@amf-foresight/core').then((c) => console.log(JSON.stringify({ ok: typeof c.fillGaps })))";
      expect(JSON.parse(execFileSync('node', ['-e', core], { cwd: app, encoding: 'utf8' }))).toEqual({
        ok: 'function',
      });
      // The writer needs neither (nor Arrow): it writes blocks from the tarball, ESM and CJS.
      const write = (out: string) =>
        `const b = writeBlocks(${JSON.stringify(join(app, out))}, [{ labels: { __name__: 'up' }, ` +
        `timestamps: [0, 60000, 7200000], values: [1, 2, 3] }]);\n` +
        `console.log(JSON.stringify(b.map((x) => x.stats.numSamples)));`;
      expect(
        node(app, 'writer.mjs', `import { writeBlocks } from '@amf-foresight/tsdb-ingest/writer';\n${write('w1')}`),
      ).toEqual([2, 1]);
      expect(
        node(
          app,
          'writer.cjs',
          `const { writeBlocks } = require('@amf-foresight/tsdb-ingest/writer');\n${write('w2')}`,
        ),
      ).toEqual([2, 1]);
      // The whole package does need them: the check above is not vacuous.
      expect(() =>
        execFileSync(
          'node',
          ['-e', "import('@amf-foresight/tsdb-ingest').then(() => process.exit(0), () => process.exit(7))"],
          { cwd: app, stdio: 'pipe' },
        ),
      ).toThrow();
    },
  );
});
