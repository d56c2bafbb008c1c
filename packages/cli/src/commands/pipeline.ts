import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import {
  UsageError,
  checkHorizon,
  checkWindow,
  formatTime,
  parseDuration,
  parseTime,
  refuseCredentials,
} from '@amf-foresight/core';
import { FEATURE_TYPES, LEVELS } from '@amf-foresight/features';
import type { FeatureType, Level } from '@amf-foresight/features';
import {
  checkModel,
  modelNames,
  newRunId,
  parseParamFlags,
  parseS3Url,
  runPipeline,
  scaleNote,
} from '@amf-foresight/orchestrator';
import type { PipelineOptions, PipelineResult, SourceSpec } from '@amf-foresight/orchestrator';
import { s3FromArgs } from '../config.js';
import type { S3Settings } from '../config.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';
import { downloadOptions } from './download.js';
import { inPlaceSpec } from './process.js';
import { modelOptions } from './train.js';

export function pipelineOptions<T>(y: Argv<T>) {
  return modelOptions(downloadOptions(y))
    .option('download', { type: 'boolean', describe: 'Sync TSDB blocks from S3 into the local cache first' })
    .option('process', {
      type: 'boolean',
      describe: 'Decode the cached blocks of --start … --end (or query --prometheus-url)',
    })
    .option('generate', { type: 'boolean', describe: 'Build the dataset of --metric, --type, --level' })
    .option('train', { type: 'boolean', describe: "Fit and evaluate --model on the dataset (--data, or this run's)" })
    .option('start', { type: 'string', describe: 'Window start, "YYYY-MM-DD HH:MM:SS" UTC' })
    .option('end', { type: 'string', describe: 'Window end' })
    .option('metric', { type: 'string', describe: 'Prometheus metric, e.g. container_cpu_usage_seconds_total' })
    .option('type', { type: 'string', describe: `Feature: ${FEATURE_TYPES.join(', ')}` })
    .coerce('type', (v: string) => v.toLowerCase())
    .option('level', { type: 'string', describe: `cAdvisor level: ${LEVELS.join(', ')}` })
    .coerce('level', (v: string) => v.toLowerCase())
    .option('pod', { type: 'string', describe: 'Only pods whose name starts with this' })
    .option('data', { type: 'string', describe: 'Dataset Parquet for --train without --generate' })
    .option('step', { type: 'string', default: '1m', describe: 'Dataset grid step' })
    .option('rate-window', {
      type: 'string',
      default: '5m',
      describe: 'rate() window for cpu and utilization (also read before --start)',
    })
    .option('namespace', { type: 'string', default: 'openverso', describe: 'Kubernetes namespace' })
    .option('nf', { type: 'string', default: 'amf', describe: 'Network function (pods open5gs-<nf>…)' })
    .option('match', { type: 'string', describe: 'Only series matching this PromQL selector (process)' })
    .option('prometheus-url', {
      type: 'string',
      describe: 'With --process: read a live Prometheus HTTP API instead of blocks (env: AMF_FORESIGHT_PROMETHEUS_URL)',
    })
    .option('source', {
      type: 'string',
      describe:
        'With --process: read the blocks in place from s3://bucket/prefix (range GETs, nothing downloaded); ' +
        '"s3": the bucket and prefix of --bucket/--prefix or the env vars bucket, prefix',
    })
    .option('samples-dir', {
      type: 'string',
      describe:
        'Samples for --generate without --process (default: the newest run that has samples, else data/samples)',
    })
    .option('runs-dir', { type: 'string', default: 'runs', describe: 'Where run directories go' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .option('upload', {
      type: 'string',
      describe: 'Upload the run directory to s3://bucket/prefix when done (env: upload, AMF_FORESIGHT_UPLOAD)',
    })
    .option('export-blocks', {
      type: 'string',
      describe:
        'Also write the forecast as Prometheus TSDB blocks into this data directory (amf_foresight_forecast, ' +
        'docs/EXPORT.md); with --upload they go to s3://bucket/prefix/<ULID>/ in Thanos layout',
    })
    .option('remote-write', {
      type: 'string',
      describe:
        'Send the forecast to a Prometheus remote-write receiver, e.g. http://prometheus:9090/api/v1/write ' +
        '(stamped now, one series per horizon label; docs/EXPORT.md)',
    });
}

export type PipelineArgs = ArgsOf<ReturnType<typeof pipelineOptions<CommonArgs>>>;

/** What pipelineFromArgs needs: the flags with defaults, and any of the others. */
export type PipelineInput = Partial<PipelineArgs> &
  Pick<PipelineArgs, 'runs-dir' | 'logs-dir' | 'step' | 'rate-window' | 'namespace' | 'nf' | 'horizon' | 'windows'>;

/** The prototype's rules, each a one-line usage error (exit 2). */
export function checkPrototypeRules(a: {
  download?: boolean;
  process?: boolean;
  generate?: boolean;
  train?: boolean;
  start?: string;
  end?: string;
  metric?: string;
  type?: string;
  level?: string;
  model?: string;
  data?: string;
}): void {
  if (!a.download && !a.process && !a.generate && !a.train) {
    throw new UsageError('NO_ACTION', 'name a command, or at least one of --download, --process, --generate, --train', {
      hint: "e.g. amf-foresight --process --start … --end …, or 'amf-foresight demo'",
    });
  }
  if (a.process && (a.start === undefined || a.end === undefined)) {
    throw new UsageError('MISSING_WINDOW', '--process needs --start and --end', {
      flag: a.start === undefined ? '--start' : '--end',
      hint: 'e.g. --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"',
    });
  }
  if (a.generate && (a.metric === undefined || a.type === undefined || a.level === undefined)) {
    const missing = (['metric', 'type', 'level'] as const).filter((f) => a[f] === undefined).map((f) => `--${f}`);
    throw new UsageError(
      'MISSING_FLAG',
      `--generate needs --metric, --type and --level (${missing.join(', ')} missing)`,
      { flag: missing[0]!, hint: 'e.g. --metric container_cpu_usage_seconds_total --type utilization --level amf' },
    );
  }
  if (a.train && a.model === undefined)
    throw new UsageError('MISSING_FLAG', '--train needs --model', { flag: '--model', hint: 'e.g. --model ARIMA' });
  if (a.train && a.data === undefined && !(a.process && a.generate)) {
    throw new UsageError('MISSING_FLAG', '--train needs --data, or --process and --generate in the same run', {
      flag: '--data',
      hint: 'e.g. --train --data runs/latest/dataset.parquet --model ARIMA',
    });
  }
  if (a.type !== undefined && !(FEATURE_TYPES as readonly string[]).includes(a.type))
    throw new UsageError(
      'BAD_TYPE',
      `--type must be one of ${FEATURE_TYPES.join(', ')}, got ${JSON.stringify(a.type)}`,
      { flag: '--type' },
    );
  if (a.level !== undefined && !(LEVELS as readonly string[]).includes(a.level))
    throw new UsageError('BAD_LEVEL', `--level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(a.level)}`, {
      flag: '--level',
    });
}

/** Where this run's samples come from: the process step's source, or (generate alone) earlier samples. */
function sourceFromArgs(
  argv: PipelineInput,
  s: S3Settings,
  env: NodeJS.ProcessEnv,
  window?: { start: number; end: number },
): SourceSpec | undefined {
  if (!argv.process)
    return argv['samples-dir'] !== undefined ? { kind: 'samples-dir', dir: argv['samples-dir'] } : undefined;
  const w = { ...window!, ...(argv.match !== undefined ? { matchers: argv.match } : {}) };
  const promUrl = argv['prometheus-url'] ?? (env.AMF_FORESIGHT_PROMETHEUS_URL || undefined);
  if (promUrl !== undefined) {
    if (argv.download)
      throw new UsageError(
        'CONFLICTING_FLAGS',
        '--download syncs blocks from S3 and --prometheus-url reads the HTTP API: use one',
        { flag: '--prometheus-url' },
      );
    return { kind: 'prometheus', url: promUrl, ...w };
  }
  if (argv.source !== undefined) {
    if (argv.download)
      throw new UsageError(
        'CONFLICTING_FLAGS',
        '--download syncs blocks into the cache and --source reads them in place: use one',
        { flag: '--source' },
      );
    return inPlaceSpec(argv, argv.source, join(s.cacheDir, '.index-headers'), 16, w);
  }
  if (argv.download)
    return {
      kind: 's3',
      bucket: s.bucket,
      prefix: s.prefix,
      cacheDir: s.cacheDir,
      clientConfig: s.clientConfig,
      ...(s.block !== undefined ? { block: s.block } : {}),
      ...w,
    };
  return { kind: 'local', dataDir: s.cacheDir, ...w };
}

/** PipelineOptions from the prototype's flags. */
export function pipelineFromArgs(argv: PipelineInput, env: NodeJS.ProcessEnv = process.env): PipelineOptions {
  checkPrototypeRules(argv);
  const params = parseParamFlags(argv['model-param']);
  if (argv.train && argv.model !== undefined) {
    checkModel(argv.model, params);
    checkHorizon(argv.horizon);
  }
  const start = argv.start !== undefined ? parseTime(argv.start, '--start') : undefined;
  const end = argv.end !== undefined ? parseTime(argv.end, '--end') : undefined;
  if (start !== undefined && end !== undefined) checkWindow(start, end);
  const s = s3FromArgs(argv, env);
  const uploadUrl = argv.upload ?? (env.upload || env.AMF_FORESIGHT_UPLOAD || undefined);
  if (uploadUrl !== undefined) parseS3Url(uploadUrl);
  const source = sourceFromArgs(argv, s, env, start !== undefined && end !== undefined ? { start, end } : undefined);
  return {
    runsDir: argv['runs-dir'],
    runId: newRunId(),
    inputs: Object.fromEntries(Object.entries(argv).filter(([k]) => k !== '_' && k !== '$0' && !/[A-Z]/.test(k))),
    ...(argv.download && !argv.process
      ? {
          download: {
            bucket: s.bucket,
            prefix: s.prefix,
            cacheDir: s.cacheDir,
            clientConfig: s.clientConfig,
            ...(s.block !== undefined ? { block: s.block } : {}),
          },
        }
      : {}),
    ...(source ? { source } : {}),
    ...(argv.generate && argv.metric !== undefined
      ? {
          generate: {
            metric: argv.metric,
            type: argv.type as FeatureType,
            level: argv.level as Level,
            namespace: argv.namespace,
            nf: argv.nf,
            step: parseDuration(argv.step, '--step'),
            rateWindow: parseDuration(argv['rate-window'], '--rate-window'),
            ...(argv.pod !== undefined ? { pod: argv.pod } : {}),
          },
        }
      : {}),
    ...(argv.train && argv.model !== undefined
      ? {
          train: {
            model: argv.model,
            params,
            horizon: argv.horizon,
            windows: argv.windows,
            ...(argv.data !== undefined && !argv.generate ? { data: argv.data } : {}),
            ...trainExtras(argv),
          },
        }
      : {}),
    ...(uploadUrl !== undefined ? { upload: { url: uploadUrl, clientConfig: s.clientConfig } } : {}),
    ...(argv['export-blocks'] !== undefined ? { exportBlocks: { dir: argv['export-blocks'] } } : {}),
    ...(argv['remote-write'] !== undefined ? { remoteWrite: { url: remoteWriteUrl(argv['remote-write']) } } : {}),
  };
}

export function trainExtras(argv: { 'backtest-step'?: number; season?: number; series?: string }): {
  backtestStep?: number;
  season?: number;
  series?: string;
} {
  return {
    ...(argv['backtest-step'] !== undefined ? { backtestStep: argv['backtest-step'] } : {}),
    ...(argv.season !== undefined ? { season: argv.season } : {}),
    ...(argv.series !== undefined ? { series: argv.series } : {}),
  };
}

/** Runs the pipeline from parsed flags; SIGINT/SIGTERM cancel it cleanly. */
export async function runFromArgs(
  argv: PipelineInput,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PipelineResult> {
  const o = pipelineFromArgs(argv, env);
  return withCommand(io, argv, join(argv['logs-dir'], `${o.runId}.log`), (ctx) => runPipeline(o, ctx));
}

/** --remote-write: an http(s) URL without credentials in it. */
export function remoteWriteUrl(url: string): string {
  refuseCredentials(url, '--remote-write');
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new UsageError('BAD_REMOTE_WRITE_URL', `--remote-write wants an http(s) URL, got ${JSON.stringify(url)}`, {
      flag: '--remote-write',
      hint: 'e.g. http://prometheus:9090/api/v1/write (started with --web.enable-remote-write-receiver)',
    });
  return url;
}

/** What --export-blocks did: the blocks copied into a data directory, and uploaded. */
export function blockLines(sinks: Record<string, Record<string, unknown>>): string[] {
  const e = sinks['export-blocks'] as { dir: string; blocks: number } | undefined;
  const u = sinks['upload-blocks'] as { url: string; blocks: number; skipped: number } | undefined;
  const w = sinks['remote-write'] as { url: string; samples: number; retries: number } | undefined;
  return [
    ...(w ? [`  remote write: ${w.samples} samples to ${w.url}${w.retries ? ` (${w.retries} retries)` : ''}`] : []),
    ...(e ? [`  blocks: ${e.blocks} written to ${e.dir}`] : []),
    ...(u ? [`  blocks: ${u.blocks} uploaded to ${u.url} (Thanos layout)`] : []),
  ];
}

export function printRun(r: PipelineResult, argv: CommonArgs, io: Io): void {
  if (argv.output === 'json') {
    io.out(JSON.stringify({ ...r, output: undefined }) + '\n');
    return;
  }
  if (argv.quiet) return;
  const lines = [`run ${r.runId}: ${r.runDir}`];
  for (const [k, s] of Object.entries(r.steps)) lines.push(`  ${k.padEnd(9)} ${s.seconds.toFixed(1)} s`);
  const g = r.steps['generate'];
  if (g && Array.isArray(g['range'])) {
    const [a, b] = (g['range'] as [number, number]).map(formatTime);
    lines.push(`  data: ${a!} to ${b!} UTC (${String(g['rows'])} rows) → ${join(r.runDir, 'dataset.png')}`);
  }
  if (r.train) {
    const b = r.train.backtest.mean;
    lines.push(
      `  model ${r.train.model} on ${r.train.series} (${r.train.points} points): backtest ` +
        `h=${r.train.backtest.horizon} × ${r.train.backtest.windows}: MASE ${b.mase.toFixed(3)}` +
        `${scaleNote(r.train.backtest.maseScale)}, RMSE ` +
        `${b.rmse.toPrecision(4)}, 90 % coverage ${(100 * b.coverage90).toFixed(0)} % ` +
        `(interval score ${b.scaledIntervalScore90.toPrecision(3)}); prototype test ` +
        `MSE ${r.train.prototype.testMse?.toPrecision(4) ?? 'n/a'}`,
    );
    const files = ['forecast.png', 'forecast.html', 'forecast.parquet'].map((f) => join(r.runDir, f));
    lines.push(`  forecast: ${files.join(', ')}`);
  }
  if (r.uploaded) lines.push(`  uploaded ${r.uploaded.files} files to ${r.uploaded.url}`);
  lines.push(...blockLines(r.sinks));
  io.err(lines.join('\n') + '\n');
}

function runOptions(y: Argv<CommonArgs>) {
  return pipelineOptions(y)
    .example('$0 --download', 'sync blocks (env: bucket, prefix, local_path, block)')
    .example('$0 --process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', 'decode a window')
    .example(
      '$0 --generate --metric "container_cpu_usage_seconds_total" --type "utilization" --level "amf"',
      'build the dataset from the newest run with samples',
    )
    .example('$0 --train --data "runs/latest/dataset.parquet" --model "ARIMA"', 'train on a dataset')
    .example(
      '$0 --process --prometheus-url http://127.0.0.1:9090 --start … --end … --generate … --train --model auto',
      'from a live Prometheus',
    )
    .example(
      `$0 --download --process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00" ` +
        `--generate --metric "container_cpu_usage_seconds_total" --type "utilization" --level ` +
        `"amf" --train --model "ARIMA"`,
      `everything in one run (models: ${modelNames().join(', ')}, auto)`,
    );
}

export function runCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof runOptions>>> {
  return {
    command: '$0',
    describe: "The prototype's command line: any of --download --process --generate --train in one run (runs/<id>/)",
    builder: runOptions,
    handler: async (argv) => {
      printRun(await runFromArgs(argv, io), argv, io);
      setResult(0);
    },
  };
}
