import type { Argv, CommandModule } from 'yargs';
import { UsageError, checkWindow, parseDuration, parseTime } from '@amf-foresight/core';
import { Plan, runPlan, samplesWriter, sourceStage } from '@amf-foresight/orchestrator';
import type { ArtifactWriter } from '@amf-foresight/orchestrator';
import { DEFAULT_CACHE_DIR } from '../config.js';
import { runLogPath } from '../console.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';

const readBefore = (v: string): number =>
  /^0+(ms|s|m|h|d|w)?$/.test(v.trim()) ? 0 : parseDuration(v, '--read-before');

function processOptions(y: Argv<CommonArgs>) {
  return y
    .option('start', { type: 'string', describe: 'Window start, "YYYY-MM-DD HH:MM:SS" UTC (inclusive)' })
    .option('end', { type: 'string', describe: 'Window end (inclusive)' })
    .option('local-path', {
      type: 'string',
      describe:
        'Block cache or Prometheus data dir ' +
        `(env: local_path, AMF_FORESIGHT_CACHE_DIR; default ${DEFAULT_CACHE_DIR})`,
    })
    .option('match', { type: 'string', describe: 'Only series matching this PromQL selector' })
    .option('prometheus-url', {
      type: 'string',
      describe:
        'Read raw samples from a live Prometheus HTTP API instead of blocks (env: AMF_FORESIGHT_PROMETHEUS_URL)',
    })
    .option('read-before', {
      type: 'string',
      default: '5m',
      describe: 'Also read this much before --start: the rate window (or lookback) the features will use',
    })
    .option('out-dir', { type: 'string', default: 'data/samples', describe: 'Where the Parquet files go' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .example('$0 process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', "the prototype's process step")
    .example(
      '$0 process --start "2023-06-05" --end "2023-06-12" --local-path ' +
        '/var/lib/prometheus/metrics2 --match \'{namespace="openverso"}\'',
      'a local Prometheus data dir',
    );
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
      const promUrl = argv['prometheus-url'] ?? (process.env.AMF_FORESIGHT_PROMETHEUS_URL || undefined);
      const dataDir =
        argv['local-path'] ?? (process.env.local_path || process.env.AMF_FORESIGHT_CACHE_DIR || DEFAULT_CACHE_DIR);
      const source = await sourceStage(
        promUrl !== undefined ? { kind: 'prometheus', url: promUrl, ...w } : { kind: 'local', dataDir, ...w },
        readBefore(argv['read-before']),
      );
      const logFile = runLogPath(argv['logs-dir'], 'process');
      const r = await withCommand(io, argv, logFile, (ctx) =>
        runPlan(
          Plan.of(source),
          { target: { kind: 'files', dir: argv['out-dir'] }, writers: [samplesWriter('') as ArtifactWriter] },
          ctx,
        ),
      );
      if (argv.output === 'json')
        io.out(JSON.stringify({ outDir: r.runDir, files: r.files, ...r.steps['process'], logFile }) + '\n');
      setResult(0);
    },
  };
}
