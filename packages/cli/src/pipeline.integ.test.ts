import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, createBucket, startMoto, tempDirs, uploadDir } from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { runCli } from './cli.test-util.js';

// The built CLI, run as users run it: in its own process, in a working directory of its own.
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const dirs = tempDirs('amf-pipeline-');
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.client, 'amf-tsdb');
  await uploadDir(moto.client, 'amf-tsdb', 'prometheus', SAMPLE);
}, 180_000);

afterAll(async () => {
  await (moto as Moto | undefined)?.stop();
  dirs.cleanup();
});

function cli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onSpawn?: (kill: (s: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: moto.endpoint,
        ...env,
      },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    onSpawn?.((s) => p.kill(s));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const RUN_FILES = [
  'dataset.html',
  'dataset.parquet',
  'dataset.png',
  'forecast.html',
  'forecast.parquet',
  'forecast.png',
  'metrics.json',
  'model',
  'run.json',
  'samples',
];

describe("the seed README's command lines (pipeline.py → amf-foresight) against S3 on loopback", () => {
  const env = { bucket: 'amf-tsdb', prefix: 'prometheus', local_path: 'blocks' };
  let cwd: string;
  beforeAll(() => {
    cwd = dirs.make();
  });

  it('--download', async () => {
    const r = await cli(['--download'], cwd, env);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(cwd, 'blocks')).sort()).toEqual(readdirSync(SAMPLE).sort());
  }, 120_000);

  it('--process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', async () => {
    const r = await cli(['--process', '--start', '2023-06-06 14:00:00', '--end', '2023-06-06 16:00:00'], cwd, env);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(join(cwd, 'runs/latest/samples')).sort()).toEqual(['samples.parquet', 'series.parquet']);
  }, 60_000);

  it(
    '--generate --metric "container_cpu_usage_seconds_total" --type "utilization" --level "amf" (from ' +
      'the last processed samples)',
    async () => {
      const r = await cli(
        ['--generate', '--metric', 'container_cpu_usage_seconds_total', '--type', 'utilization', '--level', 'amf'],
        cwd,
        env,
      );
      expect(r.code, r.err).toBe(0);
      expect(existsSync(join(cwd, 'runs/latest/dataset.parquet'))).toBe(true);
      expect(existsSync(join(cwd, 'runs/latest/dataset.png'))).toBe(true);
    },
    60_000,
  );

  it('--train --data "/path/to/your/data.parquet" --model "ARIMA"', async () => {
    const data = join(cwd, 'runs', readlinkSync(join(cwd, 'runs/latest')), 'dataset.parquet');
    const r = await cli(['--train', '--data', data, '--model', 'ARIMA', '--output', 'json'], cwd, env);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as { runDir: string; train: { model: string; backtest: { mean: { mase: number } } } };
    expect(s.train.model).toBe('ARIMA');
    expect(Number.isFinite((s.train.backtest.mean as unknown as { rmse: number }).rmse)).toBe(true);
    expect(readdirSync(join(cwd, s.runDir)).sort()).toEqual(
      RUN_FILES.filter((f) => f !== 'samples'), // the dataset it trained on is kept in the run
    );
  }, 120_000);

  it('the full line: --download --process … --generate … --train --model "ARIMA", with --upload', async () => {
    const r = await cli(
      [
        '--download',
        '--process',
        '--start',
        '2023-06-06 14:00:00',
        '--end',
        '2023-06-06 16:00:00',
        '--generate',
        '--metric',
        'container_cpu_usage_seconds_total',
        '--type',
        'utilization',
        '--level',
        'amf',
        '--train',
        '--model',
        'ARIMA',
        '--upload',
        's3://amf-tsdb/runs',
        '--output',
        'json',
      ],
      cwd,
      env,
    );
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as {
      runId: string;
      runDir: string;
      steps: Record<string, { seconds: number }>;
      uploaded: { files: number };
    };
    expect(Object.keys(s.steps)).toEqual(['download', 'process', 'generate', 'train']);
    expect(readdirSync(join(cwd, s.runDir)).sort()).toEqual(RUN_FILES);
    const run = JSON.parse(readFileSync(join(cwd, s.runDir, 'run.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
      versions: Record<string, string>;
      steps: object;
    };
    expect(run.inputs).toMatchObject({ model: 'ARIMA', level: 'amf', start: '2023-06-06 14:00:00' });
    expect(run.versions['@amf-foresight/orchestrator']).toBe('0.1.0');
    expect(existsSync(join(cwd, 'logs', `${s.runId}.log`))).toBe(true);
    // The forecast plot (its SVG is inline in the report, the PNG is rendered from it): data, forecast and intervals.
    const html = readFileSync(join(cwd, s.runDir, 'forecast.html'), 'utf8');
    expect(html.match(/<path d="M/g)).toHaveLength(2);
    expect(html.match(/<polygon /g)).toHaveLength(2);
    expect(html).toContain('ARIMA forecast');
    expect(html).toContain('95 % interval');
    expect(
      readFileSync(join(cwd, s.runDir, 'forecast.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const listed = await moto.client.send(new ListObjectsV2Command({ Bucket: 'amf-tsdb', Prefix: `runs/${s.runId}/` }));
    const keys = (listed.Contents ?? []).map((c) => c.Key!.slice(`runs/${s.runId}/`.length));
    expect(keys).toHaveLength(s.uploaded.files);
    expect(keys).toEqual(
      expect.arrayContaining([
        'run.json',
        'metrics.json',
        'forecast.png',
        'dataset.parquet',
        'model/manifest.json',
        'samples/samples.parquet',
      ]),
    );
  }, 180_000);
});

describe('upload failures', () => {
  it('an unknown bucket: one line, exit 2, and the finished run stays on disk', async () => {
    const cwd = dirs.make();
    const r = await cli(
      [
        '--process',
        '--start',
        '2023-06-06 14:00:00',
        '--end',
        '2023-06-06 16:00:00',
        '--local-path',
        SAMPLE,
        '--upload',
        's3://no-such-bucket/runs',
        '--quiet',
      ],
      cwd,
    );
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      new RegExp(
        'bucket "no-such-bucket" does not exist: the run itself is complete in runs/[^;]+; ' +
          'check the bucket name .*\\[S3_NO_SUCH_BUCKET\\]',
      ),
    );
    expect(readdirSync(join(cwd, 'runs/latest/samples')).sort()).toEqual(['samples.parquet', 'series.parquet']);
  }, 60_000);
});

describe('demo', () => {
  it('runs the whole pipeline on the bundled sample with ARIMA and says where the plot is', async () => {
    const cwd = dirs.make();
    const r = await cli(['demo'], cwd);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/data: 2023-06-09 00:00:00 to 2023-06-11 00:00:00 UTC \(2881 rows\)/);
    expect(r.err).toMatch(/model ARIMA on openverso\/open5gs-amf\/amf \(2881 points\): backtest h=60 × 3: MASE \d/);
    expect(r.err).toMatch(/forecast: runs\/[^/]+\/forecast\.png/);
    expect(readdirSync(join(cwd, 'runs/latest')).sort()).toEqual(RUN_FILES);
  }, 120_000);
});

describe('cancellation', () => {
  // Prophet's Stan model and LSTM's epochs run in WebAssembly: the signal must reach them (issue 13, finding 1).
  it.each(['auto', 'PROPHET', 'LSTM'])(
    'SIGINT while %s trains exits 130 and leaves no run directory, only the log',
    async (model) => {
      const cwd = dirs.make();
      const r = await cli(['demo', '--model', model, '--windows', '7'], cwd, {}, (kill) => {
        const poll = setInterval(() => {
          // Signal once the run is inside the train step.
          const logs = existsSync(join(cwd, 'logs')) ? readdirSync(join(cwd, 'logs')) : [];
          const log = logs[0] ? readFileSync(join(cwd, 'logs', logs[0]), 'utf8') : '';
          if (log.includes(`training ${model.toUpperCase()}`)) {
            clearInterval(poll);
            kill('SIGINT');
          }
        }, 50);
      });
      expect(
        r.code,
        `${r.err}\n${readdirSync(join(cwd, 'logs'))
          .map((f) => readFileSync(join(cwd, 'logs', f), 'utf8'))
          .join('')}`,
      ).toBe(130);
      expect(r.err).toMatch(/SIGINT: cancelling the run/);
      expect(r.err).toMatch(/cancelled during train; nothing of this run was kept \[CANCELLED\]/);
      expect(readdirSync(join(cwd, 'runs'))).toEqual([]);
      expect(readdirSync(join(cwd, 'logs'))).toHaveLength(1);
    },
    120_000,
  );
});

describe("the prototype's rules: one line, exit 2", () => {
  it.each([
    [[], 'name a command, or at least one of --download, --process, --generate, --train'],
    [['--process', '--start', '2023-06-06 14:00:00'], '--process needs --start and --end'],
    [['--process', '--end', '2023-06-06 14:00:00'], '--process needs --start and --end'],
    [
      ['--generate', '--metric', 'container_cpu_usage_seconds_total', '--level', 'amf'],
      '--generate needs --metric, --type and --level (--type missing)',
    ],
    [['--generate', '--type', 'memory'], '--generate needs --metric, --type and --level (--metric, --level missing)'],
    [['--train', '--data', 'x.parquet'], '--train needs --model'],
    [['--train', '--model', 'ARIMA'], '--train needs --data, or --process and --generate in the same run'],
    [
      ['--train', '--model', 'ARIMA', '--generate', '--metric', 'm', '--type', 'cpu', '--level', 'amf'],
      '--train needs --data, or --process and --generate in the same run',
    ],
    [['--generate', '--metric', 'm', '--type', 'disk', '--level', 'amf'], '--type must be one of'],
    [['--train', '--data', 'x.parquet', '--model', 'xgboost'], 'unknown model "xgboost"'],
  ])('%j', async (args, message) => {
    const cwd = dirs.make();
    const r = await runCli([...args, '--runs-dir', join(cwd, 'runs'), '--logs-dir', join(cwd, 'logs')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toContain(message);
    expect(
      existsSync(join(cwd, 'runs')) ? readdirSync(join(cwd, 'runs')).filter((f) => !f.startsWith('.')) : [],
    ).toEqual([]);
  });
});
