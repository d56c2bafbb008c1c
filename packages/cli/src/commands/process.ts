import type { Argv, CommandModule } from 'yargs';
import type { Samples, SamplesStream, Stage } from '@amf-foresight/core';
import { UsageError, checkWindow, parseDuration, parseS3Location, parseTime } from '@amf-foresight/core';
import {
  Plan,
  runPlan,
  samplesStreamWriter,
  samplesWriter,
  sourceStage,
  streamingSourceStage,
} from '@amf-foresight/orchestrator';
import type { ArtifactWriter, SourceSpec } from '@amf-foresight/orchestrator';
import { join } from 'node:path';
import { DEFAULT_CACHE_DIR, s3FromArgs } from '../config.js';
import { s3ConnectionOptions } from './download.js';
import { runLogPath } from '../console.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';

const readBefore = (v: string): number =>
  /^0+(ms|s|m|h|d|w)?$/.test(v.trim()) ? 0 : parseDuration(v, '--read-before');

/**
 * Where the samples come from, for the commands that read them (process, fleet): blocks on disk
 * (--local-path), blocks read in place in S3 (--source) or a live Prometheus (--prometheus-url).
 */
export function sourceOptions<T>(y: Argv<T>, selection: string) {
  return s3ConnectionOptions(y)
    .option('source', {
      type: 'string',
      describe:
        'Read the blocks in place from s3://bucket/prefix (range GETs, nothing downloaded); "s3" takes the ' +
        'bucket and prefix from --bucket/--prefix or the env vars bucket, prefix. Meant for a selection ' +
        `(${selection}): what it fetches is held in memory`,
    })
    .option('bucket', { type: 'string', describe: 'With --source s3: the bucket (env: bucket, AMF_FORESIGHT_BUCKET)' })
    .option('prefix', {
      type: 'string',
      describe: 'With --source s3: the key prefix (env: prefix, AMF_FORESIGHT_PREFIX)',
    })
    .option('block', { type: 'string', describe: 'With --source: only this block ULID (env: block)' })
    .option('concurrency', {
      type: 'number',
      default: 16,
      describe: 'With --source: range GETs in flight at once',
    })
    .option('index-cache', {
      type: 'string',
      describe: 'With --source: where index headers are kept between runs (default: <local-path>/.index-headers)',
    })
    .option('local-path', {
      type: 'string',
      describe:
        'Block cache or Prometheus data dir ' +
        `(env: local_path, AMF_FORESIGHT_CACHE_DIR; default ${DEFAULT_CACHE_DIR})`,
    })
    .option('prometheus-url', {
      type: 'string',
      describe:
        'Read raw samples from a live Prometheus HTTP API instead of blocks (env: AMF_FORESIGHT_PROMETHEUS_URL)',
    });
}

type SourceArgs = ArgsOf<ReturnType<typeof sourceOptions<CommonArgs>>>;

/** The source the flags of sourceOptions name, for a window (and its matchers). */
export function sourceSpecOf(argv: SourceArgs, w: { start: number; end: number; matchers?: string }): SourceSpec {
  const promUrl = argv['prometheus-url'] ?? (process.env.AMF_FORESIGHT_PROMETHEUS_URL || undefined);
  if (argv.source !== undefined && argv['prometheus-url'] !== undefined)
    throw new UsageError('CONFLICTING_FLAGS', '--source reads S3 blocks and --prometheus-url a live server: use one', {
      flag: '--source',
    });
  const dataDir =
    argv['local-path'] ?? (process.env.local_path || process.env.AMF_FORESIGHT_CACHE_DIR || DEFAULT_CACHE_DIR);
  if (argv.source !== undefined)
    return inPlaceSpec(argv, argv.source, argv['index-cache'] ?? join(dataDir, '.index-headers'), argv.concurrency, w);
  return promUrl !== undefined ? { kind: 'prometheus', url: promUrl, ...w } : { kind: 'local', dataDir, ...w };
}

function processOptions(y: Argv<CommonArgs>) {
  return sourceOptions(y, '--match; for every series, download then process: streamed')
    .option('start', { type: 'string', describe: 'Window start, "YYYY-MM-DD HH:MM:SS" UTC (inclusive)' })
    .option('end', { type: 'string', describe: 'Window end (inclusive)' })
    .option('match', { type: 'string', describe: 'Only series matching this PromQL selector' })
    .option('read-before', {
      type: 'string',
      default: '5m',
      describe: 'Also read this much before --start: the rate window (or lookback) the features will use',
    })
    .option('out-dir', { type: 'string', default: 'data/samples', describe: 'Where the Parquet files go' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .example('$0 process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', "the prototype's process step")
    .example(
      '$0 process --source s3://metrics/prometheus --start "2023-06-06" --end "2023-06-07" ' +
        '--match \'{namespace="openverso"}\'',
      'read S3 blocks in place: only the selection is fetched',
    )
    .example(
      '$0 process --start "2023-06-05" --end "2023-06-12" --local-path ' +
        '/var/lib/prometheus/metrics2 --match \'{namespace="openverso"}\'',
      'a local Prometheus data dir',
    );
}

/** `--source s3://bucket/prefix` (or `s3`, with the bucket and prefix of the flags and env vars) as a source. */
export function inPlaceSpec(
  argv: object,
  source: string,
  indexHeaderDir: string,
  concurrency: number,
  w: { start: number; end: number; matchers?: string },
): SourceSpec {
  const s = s3FromArgs(argv);
  if (source !== 's3' && !source.startsWith('s3://'))
    throw new UsageError('BAD_SOURCE', `--source takes s3://bucket/prefix or s3, not ${JSON.stringify(source)}`, {
      flag: '--source',
      hint: 'for a local data directory use --local-path; for a live server --prometheus-url',
    });
  const at = source === 's3' ? { bucket: s.bucket, prefix: s.prefix } : parseS3Location(source, { flag: '--source' });
  return {
    kind: 's3-inplace',
    ...at,
    clientConfig: s.clientConfig,
    indexHeaderDir,
    concurrency,
    ...(s.block !== undefined ? { block: s.block } : {}),
    ...w,
  };
}

export function processCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof processOptions>>> {
  return {
    command: 'process',
    describe: 'Decode the blocks of a window (and the rate window before it) into samples.parquet and series.parquet',
    builder: processOptions,
    handler: async (argv) => {
      if (argv.start === undefined || argv.end === undefined) {
        throw new UsageError('MISSING_WINDOW', '--process needs --start and --end', {
          flag: argv.start === undefined ? '--start' : '--end',
          hint: 'e.g. --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"',
        });
      }
      const start = parseTime(argv.start, '--start');
      const end = parseTime(argv.end, '--end');
      checkWindow(start, end);
      const w = { start, end, ...(argv.match !== undefined ? { matchers: argv.match } : {}) };
      const spec = sourceSpecOf(argv, w);
      // Blocks on disk are streamed to the files (memory bounded whatever the window); others arrive whole.
      const source: Stage<unknown, Samples | SamplesStream> =
        spec.kind === 'local'
          ? streamingSourceStage(spec, readBefore(argv['read-before']))
          : await sourceStage(spec, readBefore(argv['read-before']));
      const logFile = runLogPath(argv['logs-dir'], 'process');
      const r = await withCommand(io, argv, logFile, (ctx) =>
        runPlan(
          Plan.of(source),
          {
            target: { kind: 'files', dir: argv['out-dir'] },
            writers: [samplesWriter('') as ArtifactWriter, samplesStreamWriter('') as ArtifactWriter],
          },
          ctx,
        ),
      );
      if (argv.output === 'json')
        io.out(
          JSON.stringify({
            outDir: r.runDir,
            files: r.files,
            ...r.steps['process'],
            ...(r.output.kind === 'samples-stream' ? r.output.summary : {}),
            logFile,
          }) + '\n',
        );
      setResult(0);
    },
  };
}
