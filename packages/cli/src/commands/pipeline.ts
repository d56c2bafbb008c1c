import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, checkHorizon, checkWindow, parseDuration, parseTime } from '@amf-foresight/core';
import { FEATURE_TYPES, LEVELS } from '@amf-foresight/features';
import type { FeatureType, Level } from '@amf-foresight/features';
import { newRunId, normaliseModelName, parseS3Url, runPipeline } from '@amf-foresight/orchestrator';
import type { PipelineOptions, PipelineResult } from '@amf-foresight/orchestrator';
import { s3FromArgs } from '../config.js';
import { consoleLogger, consoleProgress, fileLogger, teeLogger } from '../console.js';
import type { Io } from '../io.js';
import { downloadOptions } from './download.js';

type Args = { quiet?: boolean; verbose?: boolean; output?: string };

export function pipelineOptions<T>(y: Argv<T>) {
  return downloadOptions(y)
    .option('download', { type: 'boolean', describe: 'Sync TSDB blocks from S3 into the local cache first' })
    .option('process', { type: 'boolean', describe: 'Decode the cached blocks of --start … --end' })
    .option('generate', { type: 'boolean', describe: 'Build the dataset of --metric, --type, --level' })
    .option('train', { type: 'boolean', describe: 'Fit and evaluate --model on the dataset (--data, or this run\'s)' })
    .option('start', { type: 'string', describe: 'Window start, "YYYY-MM-DD HH:MM:SS" UTC' })
    .option('end', { type: 'string', describe: 'Window end' })
    .option('metric', { type: 'string', describe: 'Prometheus metric, e.g. container_cpu_usage_seconds_total' })
    .option('type', { type: 'string', describe: `Feature: ${FEATURE_TYPES.join(', ')}` })
    .option('level', { type: 'string', describe: `cAdvisor level: ${LEVELS.join(', ')}` })
    .option('pod', { type: 'string', describe: 'Only pods whose name starts with this' })
    .option('data', { type: 'string', describe: 'Dataset Parquet for --train without --generate' })
    .option('model', { type: 'string', describe: 'NAIVE, SNAIVE, MSTL, ARIMA, PROPHET, LSTM or auto' })
    .option('horizon', { type: 'number', default: 12, describe: 'Forecast horizon in steps' })
    .option('windows', { type: 'number', default: 7, describe: 'Backtest windows' })
    .option('step', { type: 'string', default: '1m', describe: 'Dataset grid step' })
    .option('rate-window', { type: 'string', default: '5m', describe: 'rate() window for cpu and utilization' })
    .option('namespace', { type: 'string', default: 'openverso', describe: 'Kubernetes namespace' })
    .option('nf', { type: 'string', default: 'amf', describe: 'Network function (pods open5gs-<nf>…)' })
    .option('match', { type: 'string', describe: 'Only series matching this PromQL selector (process)' })
    .option('samples-dir', { type: 'string', describe: 'Samples for --generate without --process (default: runs/latest/samples, else data/samples)' })
    .option('runs-dir', { type: 'string', default: 'runs', describe: 'Where run directories go' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .option('upload', { type: 'string', describe: 'Upload the run directory to s3://bucket/prefix when done (env: upload, AMF_FORESIGHT_UPLOAD)' });
}

/** The prototype's rules, each a one-line usage error (exit 2). */
export function checkPrototypeRules(a: { download?: boolean; process?: boolean; generate?: boolean; train?: boolean; start?: string; end?: string; metric?: string; type?: string; level?: string; model?: string; data?: string }): void {
  if (!a.download && !a.process && !a.generate && !a.train) {
    throw new UsageError('NO_ACTION', 'name a command, or at least one of --download, --process, --generate, --train', { hint: "e.g. amf-foresight --process --start … --end …, or 'amf-foresight demo'" });
  }
  if (a.process && (a.start === undefined || a.end === undefined)) {
    throw new UsageError('MISSING_WINDOW', '--process needs --start and --end', { flag: a.start === undefined ? '--start' : '--end', hint: 'e.g. --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"' });
  }
  if (a.generate && (a.metric === undefined || a.type === undefined || a.level === undefined)) {
    const missing = (['metric', 'type', 'level'] as const).filter((f) => a[f] === undefined).map((f) => `--${f}`);
    throw new UsageError('MISSING_FLAG', `--generate needs --metric, --type and --level (${missing.join(', ')} missing)`, { flag: missing[0]!, hint: 'e.g. --metric container_cpu_usage_seconds_total --type utilization --level amf' });
  }
  if (a.train && a.model === undefined) throw new UsageError('MISSING_FLAG', '--train needs --model', { flag: '--model', hint: 'e.g. --model ARIMA' });
  if (a.train && a.data === undefined && !(a.process && a.generate)) {
    throw new UsageError('MISSING_FLAG', '--train needs --data, or --process and --generate in the same run', { flag: '--data', hint: 'e.g. --train --data runs/latest/dataset.parquet --model ARIMA' });
  }
  if (a.type !== undefined && !(FEATURE_TYPES as readonly string[]).includes(a.type)) throw new UsageError('BAD_TYPE', `--type must be one of ${FEATURE_TYPES.join(', ')}, got ${JSON.stringify(a.type)}`, { flag: '--type' });
  if (a.level !== undefined && !(LEVELS as readonly string[]).includes(a.level)) throw new UsageError('BAD_LEVEL', `--level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(a.level)}`, { flag: '--level' });
}

/** Runs the pipeline from parsed flags; SIGINT/SIGTERM cancel it cleanly. */
export async function runFromArgs(argv: Record<string, any>, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<PipelineResult> {
  checkPrototypeRules(argv);
  if (argv.train) {
    normaliseModelName(argv.model);
    checkHorizon(argv.horizon);
  }
  const start = argv.start !== undefined ? parseTime(argv.start, '--start') : undefined;
  const end = argv.end !== undefined ? parseTime(argv.end, '--end') : undefined;
  if (start !== undefined && end !== undefined) checkWindow(start, end);
  const s = s3FromArgs(argv, env);
  const uploadUrl = argv.upload ?? (env.upload || env.AMF_FORESIGHT_UPLOAD || undefined);
  if (uploadUrl !== undefined) parseS3Url(uploadUrl);
  const runsDir: string = argv['runs-dir'];
  const latestSamples = join(runsDir, 'latest', 'samples');
  const o: PipelineOptions = {
    runsDir,
    runId: newRunId(),
    inputs: Object.fromEntries(Object.entries(argv).filter(([k]) => k !== '_' && k !== '$0' && !/[A-Z]/.test(k))),
    ...(argv.download ? { download: { bucket: s.bucket, prefix: s.prefix, cacheDir: s.cacheDir, clientConfig: s.clientConfig, ...(s.block !== undefined ? { block: s.block } : {}), ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) } } : {}),
    ...(argv.process ? { process: { dataDir: s.cacheDir, start: start!, end: end!, ...(argv.match !== undefined ? { matchers: argv.match } : {}) } } : {}),
    ...(argv.generate
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
            samplesDir: argv['samples-dir'] ?? (existsSync(latestSamples) ? latestSamples : 'data/samples'),
          },
        }
      : {}),
    ...(argv.train ? { train: { model: argv.model, horizon: argv.horizon, windows: argv.windows, ...(argv.data !== undefined ? { data: argv.data } : {}) } } : {}),
    ...(uploadUrl !== undefined ? { upload: { url: uploadUrl, clientConfig: s.clientConfig } } : {}),
  };
  const v = { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) };
  const logFile = join(argv['logs-dir'], `${o.runId}.log`);
  const logger = teeLogger(consoleLogger(io, v), fileLogger(logFile));
  const ac = new AbortController();
  const onSignal = (sig: string) => {
    if (ac.signal.aborted) {
      // A second Ctrl-C does not wait: the unfinished run stays under runs/.tmp-<id>/, never in runs/<id>/.
      logger.warn(`${sig} again: stopping now`);
      process.exit(130);
    }
    logger.warn(`${sig}: cancelling the run (finishing the current step's write, keeping nothing half-done; again to stop at once)…`);
    ac.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await runPipeline(o, { logger, progress: consoleProgress(io, v), signal: ac.signal });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export function printRun(r: PipelineResult, argv: Args, io: Io): void {
  if (argv.output === 'json') {
    io.out(JSON.stringify(r) + '\n');
    return;
  }
  if (argv.quiet) return;
  const lines = [`run ${r.runId}: ${r.runDir}`];
  for (const [k, s] of Object.entries(r.steps)) lines.push(`  ${k.padEnd(9)} ${s.seconds.toFixed(1)} s`);
  const range = r.steps['generate']?.['range'] as [string, string] | undefined;
  if (range) lines.push(`  data: ${range[0]} to ${range[1]} UTC (${String(r.steps['generate']!['rows'])} rows) → ${join(r.runDir, 'dataset.png')}`);
  if (r.train) {
    const b = r.train.backtest.mean;
    lines.push(`  model ${r.train.model} on ${r.train.series} (${r.train.points} points): backtest h=${r.train.backtest.horizon} × ${r.train.backtest.windows}: MASE ${b.mase.toFixed(3)}, RMSE ${b.rmse.toPrecision(4)}, 90 % coverage ${(100 * b.coverage90).toFixed(0)} %; prototype test MSE ${r.train.prototype.testMse?.toPrecision(4) ?? 'n/a'}`);
    lines.push(`  forecast: ${join(r.runDir, 'forecast.png')}, ${join(r.runDir, 'forecast.html')}, ${join(r.runDir, 'forecast.parquet')}`);
  }
  if (r.uploaded) lines.push(`  uploaded ${r.uploaded.files} files to ${r.uploaded.url}`);
  io.err(lines.join('\n') + '\n');
}

export function runCommand(io: Io, setResult: (code: number) => void): CommandModule<Args, any> {
  return {
    command: '$0',
    describe: "The prototype's command line: any of --download --process --generate --train in one run (runs/<id>/)",
    builder: (y) =>
      pipelineOptions(y)
        .example('$0 --download', 'sync blocks (env: bucket, prefix, local_path, block)')
        .example('$0 --process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', 'decode a window')
        .example('$0 --generate --metric "container_cpu_usage_seconds_total" --type "utilization" --level "amf"', 'build the dataset from the last processed samples')
        .example('$0 --train --data "runs/latest/dataset.parquet" --model "ARIMA"', 'train on a dataset')
        .example('$0 --download --process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00" --generate --metric "container_cpu_usage_seconds_total" --type "utilization" --level "amf" --train --model "ARIMA"', 'everything in one run'),
    handler: async (argv) => {
      printRun(await runFromArgs(argv, io), argv as Args, io);
      setResult(0);
    },
  };
}
