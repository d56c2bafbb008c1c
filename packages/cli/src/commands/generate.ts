import { basename, dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, parseDuration, parseTime } from '@amf-foresight/core';
import { FEATURE_TYPES, LEVELS, generateStage } from '@amf-foresight/features';
import type { Dataset, FeatureType, Level } from '@amf-foresight/features';
import { Plan, datasetWriter, runPlan } from '@amf-foresight/orchestrator';
import type { ArtifactWriter } from '@amf-foresight/orchestrator';
import { samplesDirSource } from '@amf-foresight/tsdb-ingest/parquet';
import { runLogPath } from '../console.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';

function generateOptions(y: Argv<CommonArgs>) {
  return y
    .option('metric', { type: 'string', describe: 'Prometheus metric, e.g. container_cpu_usage_seconds_total' })
    .option('type', { type: 'string', describe: `Feature: ${FEATURE_TYPES.join(', ')}` })
    .coerce('type', (v: string) => v.toLowerCase())
    .option('level', { type: 'string', describe: `cAdvisor level: ${LEVELS.join(', ')}` })
    .coerce('level', (v: string) => v.toLowerCase())
    .option('data-dir', {
      type: 'string',
      default: 'data/samples',
      describe: 'Where process wrote samples.parquet and series.parquet',
    })
    .option('start', { type: 'string', describe: "First grid time (default: the processed window's start)" })
    .option('end', { type: 'string', describe: "Last grid time (default: the processed window's end)" })
    .option('step', { type: 'string', default: '1m', describe: 'Grid step' })
    .option('rate-window', { type: 'string', default: '5m', describe: 'rate() window for cpu and utilization' })
    .option('namespace', { type: 'string', default: 'openverso', describe: 'Kubernetes namespace' })
    .option('nf', {
      type: 'string',
      default: 'amf',
      describe: 'Network function: pods open5gs-<nf>…, container open5gs-<nf>',
    })
    .option('pod', { type: 'string', describe: 'Only pods whose name starts with this' })
    .option('by', {
      choices: ['workload', 'pod'] as const,
      default: 'workload' as const,
      describe: 'One series per workload (restarts and replicas summed) or per pod',
    })
    .option('out', {
      type: 'string',
      default: 'data/dataset.parquet',
      describe: 'Dataset file; the plots go beside it (.png, .html)',
    })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .example(
      '$0 generate --metric container_cpu_usage_seconds_total --type utilization --level amf',
      "the prototype's generate step",
    )
    .example(
      '$0 generate --metric container_memory_working_set_bytes --type memory --level upperlimit --step 5m',
      'whole-pod memory, 5-minute grid',
    );
}

export function generateCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof generateOptions>>> {
  return {
    command: 'generate',
    describe:
      'Select the series of a level, engineer a feature (memory MiB, cpu cores, utilization %) on a ' +
      'regular grid, and write the dataset (Parquet) and its plots (PNG, HTML)',
    builder: generateOptions,
    handler: async (argv) => {
      const { metric, type, level } = argv;
      if (metric === undefined || type === undefined || level === undefined) {
        const f = metric === undefined ? 'metric' : type === undefined ? 'type' : 'level';
        throw new UsageError('MISSING_FLAG', `--generate needs --metric, --type and --level (--${f} is missing)`, {
          flag: `--${f}`,
          hint: 'e.g. --metric container_cpu_usage_seconds_total --type utilization --level amf',
        });
      }
      const out = argv.out;
      if (!out.endsWith('.parquet'))
        throw new UsageError(
          'BAD_OUT',
          `--out names the dataset file and must end in .parquet, got ${JSON.stringify(out)}`,
          { flag: '--out' },
        );
      const stage = generateStage({
        metric,
        type: type as FeatureType,
        level: level as Level,
        namespace: argv.namespace,
        nf: argv.nf,
        by: argv.by,
        step: parseDuration(argv.step, '--step'),
        rateWindow: parseDuration(argv['rate-window'], '--rate-window'),
        ...(argv.pod !== undefined ? { pod: argv.pod } : {}),
        ...(argv.start !== undefined ? { start: parseTime(argv.start, '--start') } : {}),
        ...(argv.end !== undefined ? { end: parseTime(argv.end, '--end') } : {}),
      });
      const logFile = runLogPath(argv['logs-dir'], 'generate');
      const writer = datasetWriter(basename(out, '.parquet')) as ArtifactWriter;
      const r = await withCommand(io, argv, logFile, (ctx) =>
        runPlan(
          Plan.of(samplesDirSource(argv['data-dir'])).then(stage),
          { target: { kind: 'files', dir: dirname(out) }, writers: [writer] },
          ctx,
        ),
      );
      const d: Dataset = r.output;
      const base = out.replace(/\.parquet$/, '');
      if (argv.output === 'json')
        io.out(
          JSON.stringify({ dataset: out, png: `${base}.png`, html: `${base}.html`, logFile, ...d.summary }) + '\n',
        );
      else if (!argv.quiet)
        io.err(
          `dataset: ${d.summary.rows} rows, ${d.summary.series.length} series → ${out}, ${base}.png, ${base}.html\n`,
        );
      setResult(0);
    },
  };
}
