import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, checkWindow, parseDuration, parseTime } from '@amf-foresight/core';
import {
  FLEET_LEVELS,
  FLEET_METRICS,
  Plan,
  blockSinks,
  checkModel,
  fleetBlocksWriter,
  fleetStage,
  fleetText,
  fleetWriter,
  parseParamFlags,
  parseS3Url,
  remoteWriteSink,
  runPlan,
  sourceStage,
  uploadSink,
} from '@amf-foresight/orchestrator';
import type {
  ArtifactWriter,
  Fleet,
  FleetLevel,
  FleetMetric,
  FleetOptions,
  RunResult,
  Sink,
} from '@amf-foresight/orchestrator';
import { parseQueueUrl, queuedFleetStage } from '@amf-foresight/fleet-queue';
import { s3FromArgs } from '../config.js';
import { sourceOptions, sourceSpecOf } from './process.js';
import { blockLines, remoteWriteUrl } from './pipeline.js';
import { runLogPath } from '../console.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';

/** Exit code of a fleet run that finished with some series failed (documented in the README). */
export const EXIT_SOME_FAILED = 4;

/** The series a fleet run reads: usage and the limits of every cgroup. */
const FLEET_SELECTOR =
  '{__name__=~"container_cpu_usage_seconds_total|container_memory_working_set_bytes|container_spec_cpu_quota|' +
  'container_spec_cpu_period|container_spec_memory_limit_bytes"}';

function fleetOptions(y: Argv<CommonArgs>) {
  return sourceOptions(y, 'the usage and limit series of every container')
    .option('start', { type: 'string', describe: 'History start, "YYYY-MM-DD HH:MM:SS" UTC' })
    .option('end', { type: 'string', describe: 'History end (the period starts here)' })
    .option('namespace', {
      type: 'string',
      default: 'openverso',
      describe: 'Namespaces, comma-separated; * matches anything (site-*)',
    })
    .option('nf', { type: 'string', describe: 'Network functions, comma-separated (default: every open5gs-* found)' })
    .option('levels', { type: 'string', default: FLEET_LEVELS.join(','), describe: 'cAdvisor levels' })
    .option('metrics', { type: 'string', default: FLEET_METRICS.join(','), describe: 'cpu (cores), memory (MiB)' })
    .option('period', { type: 'string', default: '7d', describe: 'Recommend for this long after --end' })
    .option('backtest', {
      type: 'string',
      describe: 'Hold out the window’s last part (e.g. 2d), recommend from before it, score all methods on it',
    })
    .option('model', { type: 'string', default: 'auto', describe: 'Forecasting model' })
    .option('model-param', { type: 'string', array: true, describe: 'A model parameter key=value, repeatable' })
    .option('risk', {
      type: 'number',
      default: 0.05,
      describe: 'The fraction of pod-minutes a request may be exceeded (CPU limit: risk / 50)',
    })
    .option('workers', { type: 'number', describe: 'Worker threads for the fits (default: the cores, at most 4)' })
    .option('queue', {
      type: 'string',
      describe:
        'Have `amf-foresight worker` processes do the work through BullMQ on this Redis, ' +
        'redis://host:port/db[?queue=name] (env: AMF_FORESIGHT_QUEUE): this process lists the series, puts ' +
        'a job a workload on the queue, waits and writes the run; the workers read the samples from the same ' +
        'source (a path they share, --source s3://…, --prometheus-url), fit and recommend',
    })
    .option('queue-timeout', {
      type: 'string',
      default: '60s',
      describe: 'With --queue: fail the run when Redis does not answer this long',
    })
    .option('step', { type: 'string', default: '1m', describe: 'The usage grid' })
    .option('forecast-step', { type: 'string', default: '5m', describe: 'The forecast’s step (5-minute means)' })
    .option('rate-window', { type: 'string', default: '2m', describe: 'rate() window of CPU usage' })
    .option('runs-dir', { type: 'string', default: 'runs', describe: 'The run goes to <runs-dir>/<id>/' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .option('export-blocks', {
      type: 'string',
      describe:
        'Also write the forecasts and recommendations as Prometheus TSDB blocks into this data directory ' +
        '(amf_foresight_forecast, amf_foresight_recommendation; docs/EXPORT.md)',
    })
    .option('upload', {
      type: 'string',
      describe: 'Upload the run to s3://bucket/prefix when done, and with --export-blocks the blocks in Thanos layout',
    })
    .option('remote-write', {
      type: 'string',
      describe: 'Send the forecasts and recommendations to a Prometheus remote-write receiver (docs/EXPORT.md)',
    })
    .example(
      '$0 fleet --local-path packages/cli/sample-data/blocks --start "2023-06-05" --end "2023-06-12"',
      'every network function of the sample: requests and limits for the next 7 days',
    )
    .example('$0 fleet --start "2023-06-05" --end "2023-06-12" --backtest 2d', 'ours vs KRR and VPA on the last 2 days')
    .example('$0 fleet --start … --end … --nf amf,smf --metrics memory --risk 0.01', 'AMF and SMF memory')
    .example(
      '$0 fleet --source s3://metrics/prometheus --start "2023-06-05" --end "2023-06-12"',
      'read the blocks in place in S3: only the usage and limit series are fetched',
    )
    .example(
      '$0 fleet --start … --end … --queue redis://redis:6379/0',
      'a job a workload for amf-foresight worker processes',
    );
}

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (bad.length > 0 || items.length === 0)
    throw new UsageError(
      'BAD_LIST',
      `${flag} takes ${allowed.join(', ')} (comma-separated), got ${JSON.stringify(value)}`,
      {
        flag,
      },
    );
  return items as T[];
}

type FleetArgs = ArgsOf<ReturnType<typeof fleetOptions>>;

function fleetPlanOf(argv: FleetArgs) {
  if (argv.start === undefined || argv.end === undefined)
    throw new UsageError('MISSING_WINDOW', 'fleet needs --start and --end (the history)', {
      flag: argv.start === undefined ? '--start' : '--end',
      hint: 'e.g. --start "2023-06-05" --end "2023-06-12"',
    });
  const start = parseTime(argv.start, '--start');
  const end = parseTime(argv.end, '--end');
  checkWindow(start, end);
  if (!(argv.risk > 0 && argv.risk < 0.5))
    throw new UsageError('BAD_RISK', '--risk must be between 0 and 0.5, e.g. 0.05', { flag: '--risk' });
  if (argv.workers !== undefined && !(Number.isInteger(argv.workers) && argv.workers >= 0 && argv.workers <= 64))
    throw new UsageError('BAD_WORKERS', '--workers must be a whole number from 0 to 64', { flag: '--workers' });
  const params = parseParamFlags(argv['model-param']);
  checkModel(argv.model, params);
  return {
    window: { start, end, matchers: FLEET_SELECTOR },
    options: {
      namespace: argv.namespace,
      ...(argv.nf !== undefined
        ? {
            nfs: argv.nf
              .split(',')
              .map((s) => s.trim().toLowerCase())
              .filter(Boolean),
          }
        : {}),
      levels: list<FleetLevel>(argv.levels, FLEET_LEVELS, '--levels'),
      metrics: list<FleetMetric>(argv.metrics, FLEET_METRICS, '--metrics'),
      periodMs: parseDuration(argv.period, '--period'),
      ...(argv.backtest !== undefined ? { holdoutMs: parseDuration(argv.backtest, '--backtest') } : {}),
      model: argv.model,
      ...(Object.keys(params).length > 0 ? { params } : {}),
      risk: argv.risk,
      stepMs: parseDuration(argv.step, '--step'),
      forecastStepMs: parseDuration(argv['forecast-step'], '--forecast-step'),
      rateWindowMs: parseDuration(argv['rate-window'], '--rate-window'),
      ...(argv.workers !== undefined ? { workers: argv.workers } : {}),
    },
  };
}

/** Rate window and lookback the usage grids need before the window's start. */
const READ_BEFORE = 5 * 60_000;

/**
 * The fleet's work: its stage on this machine (the source read, then fits on threads), or, with
 * --queue, one that lists the series here and has `amf-foresight worker` processes do the rest.
 */
async function fleetWork(
  argv: FleetArgs,
  window: { start: number; end: number; matchers: string },
  fleet: FleetOptions,
) {
  const source = sourceSpecOf(argv, window);
  const url = argv.queue ?? (process.env.AMF_FORESIGHT_QUEUE || undefined);
  if (url === undefined) return { plan: Plan.of(await sourceStage(source, READ_BEFORE)).then(fleetStage(fleet)) };
  if (argv.workers !== undefined)
    throw new UsageError(
      'QUEUE_AND_WORKERS',
      '--workers is for threads of this process; with --queue the work is done by amf-foresight worker ' +
        'processes (their --concurrency)',
      { flag: '--workers' },
    );
  if (source.kind !== 'local' && source.kind !== 's3-inplace' && source.kind !== 'prometheus')
    throw new UsageError('QUEUE_SOURCE', `--queue cannot hand its workers a ${source.kind} source`, {
      flag: '--queue',
    });
  const stage = queuedFleetStage({
    target: parseQueueUrl(url),
    source,
    readBefore: READ_BEFORE,
    fleet,
    producer: { unreachableMs: parseDuration(argv['queue-timeout'], '--queue-timeout') },
  });
  return { plan: Plan.of(stage) };
}

/** The run's writers and sinks: the fleet's files, and the blocks and the upload when asked for. */
function fleetOutputs(argv: FleetArgs): { writers: ArtifactWriter[]; sinks: Sink[] } {
  const uploadUrl = argv.upload ?? (process.env.upload || process.env.AMF_FORESIGHT_UPLOAD || undefined);
  const upload = uploadUrl !== undefined ? { url: uploadUrl, clientConfig: s3FromArgs(argv).clientConfig } : undefined;
  if (upload) parseS3Url(upload.url);
  const writers = [fleetWriter() as ArtifactWriter];
  const sinks: Sink[] = [
    ...(argv['remote-write'] !== undefined ? [remoteWriteSink(remoteWriteUrl(argv['remote-write']))] : []),
    ...(upload ? [uploadSink(upload.url, upload.clientConfig)] : []),
  ];
  if (argv['export-blocks'] !== undefined) {
    writers.push(fleetBlocksWriter());
    sinks.unshift(...blockSinks(argv['export-blocks'], upload)); // what a store reads, before the run's files
  }
  return { writers, sinks };
}

function printFleet(r: RunResult<Fleet>, argv: FleetArgs, io: Io): void {
  const f = r.output;
  const failed = f.entries.filter((e) => e.error);
  if (argv.output === 'json') {
    io.out(
      JSON.stringify({
        runId: r.runId,
        runDir: r.runDir,
        series: f.entries.length,
        failed: failed.map((e) => ({ workload: e.workload, level: e.level, metric: e.metric, ...e.error })),
        recommendations: join(r.runDir!, 'recommendations.json'),
        report: join(r.runDir!, 'fleet.html'),
      }) + '\n',
    );
    return;
  }
  io.out(fleetText(f));
  if (!argv.quiet)
    io.err(
      `run ${r.runId}: ${r.runDir}\n  ${f.entries.length - failed.length} of ${f.entries.length} series recommended` +
        `${failed.length ? ` (${failed.length} failed: see the report)` : ''}\n` +
        `  report: ${join(r.runDir!, 'fleet.html')}\n  recommendations: ${join(r.runDir!, 'recommendations.json')}, ` +
        `patches: ${join(r.runDir!, 'patches')}/\n` +
        blockLines(r.sinks)
          .map((l) => `${l}\n`)
          .join(''),
    );
}

export function fleetCommand(io: Io, setResult: (code: number) => void): CommandModule<CommonArgs, FleetArgs> {
  return {
    command: 'fleet',
    describe:
      'Every network function × level × metric of a namespace: forecasts, requests and limits (ours, ' +
      'KRR-simple, VPA-style), Kubernetes patches and a report; --backtest scores them on held-out data',
    builder: fleetOptions,
    handler: async (argv) => {
      const { window, options } = fleetPlanOf(argv);
      const { plan } = await fleetWork(argv, window, options);
      const inputs = Object.fromEntries(
        Object.entries(argv).filter(([k]) => k !== '_' && k !== '$0' && !/[A-Z]/.test(k)),
      );
      const { writers, sinks } = fleetOutputs(argv);
      const r = await withCommand(io, argv, runLogPath(argv['logs-dir'], 'fleet'), (ctx) =>
        runPlan(plan, { target: { kind: 'run', runsDir: argv['runs-dir'] }, writers, sinks, inputs }, ctx),
      );
      printFleet(r, argv, io);
      setResult(r.output.entries.some((e) => e.error) ? EXIT_SOME_FAILED : 0);
    },
  };
}
