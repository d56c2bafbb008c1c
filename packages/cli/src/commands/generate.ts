import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { DataNotFoundError, UsageError, formatTime, parseDuration, parseTime } from '@amf-foresight/core';
import { FEATURE_TYPES, LEVELS, generateDataset } from '@amf-foresight/features';
import type { FeatureType, Level } from '@amf-foresight/features';
import { readParquetFile } from '@amf-foresight/tsdb-ingest';
import { consoleLogger, fileLogger, runLogPath, teeLogger } from '../console.js';
import type { Io } from '../io.js';
import { sampleRange, writeDatasetFiles } from '@amf-foresight/orchestrator';

export function generateCommand(io: Io, setResult: (code: number) => void): CommandModule<{ quiet?: boolean; verbose?: boolean; output?: string }, any> {
  return {
    command: 'generate',
    describe: 'Select the AMF series of a level, engineer a feature (memory MiB, cpu cores, utilization %) on a regular grid, and write the dataset (Parquet) and its plots (PNG, HTML)',
    builder: (y) =>
      y
        .option('metric', { type: 'string', describe: 'Prometheus metric, e.g. container_cpu_usage_seconds_total' })
        .option('type', { type: 'string', describe: `Feature: ${FEATURE_TYPES.join(', ')}` })
        .option('level', { type: 'string', describe: `cAdvisor level: ${LEVELS.join(', ')}` })
        .option('data-dir', { type: 'string', default: 'data/samples', describe: 'Where process wrote samples.parquet and series.parquet' })
        .option('start', { type: 'string', describe: 'First grid time (default: the first sample)' })
        .option('end', { type: 'string', describe: 'Last grid time (default: the last sample)' })
        .option('step', { type: 'string', default: '1m', describe: 'Grid step' })
        .option('rate-window', { type: 'string', default: '5m', describe: 'rate() window for cpu and utilization' })
        .option('namespace', { type: 'string', default: 'openverso', describe: 'Kubernetes namespace' })
        .option('nf', { type: 'string', default: 'amf', describe: 'Network function: pods open5gs-<nf>…, container open5gs-<nf>' })
        .option('pod', { type: 'string', describe: 'Only pods whose name starts with this' })
        .option('by', { choices: ['workload', 'pod'] as const, default: 'workload' as const, describe: 'One series per workload (restarts and replicas summed) or per pod' })
        .option('out', { type: 'string', default: 'data/dataset.parquet', describe: 'Dataset file; the plots go beside it (.png, .html)' })
        .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
        .example('$0 generate --metric container_cpu_usage_seconds_total --type utilization --level amf', "the prototype's generate step")
        .example('$0 generate --metric container_memory_working_set_bytes --type memory --level upperlimit --step 5m', 'whole-pod memory, 5-minute grid'),
    handler: async (argv) => {
      for (const f of ['metric', 'type', 'level'] as const) {
        if (argv[f] === undefined) throw new UsageError('MISSING_FLAG', `--generate needs --metric, --type and --level (--${f} is missing)`, { flag: `--${f}`, hint: 'e.g. --metric container_cpu_usage_seconds_total --type utilization --level amf' });
      }
      const samplesFile = join(argv['data-dir'], 'samples.parquet');
      const seriesFile = join(argv['data-dir'], 'series.parquet');
      if (!existsSync(samplesFile) || !existsSync(seriesFile)) {
        throw new DataNotFoundError('NO_SAMPLES', `no samples in ${argv['data-dir']}`, { file: samplesFile, hint: 'run the process step first: amf-foresight process --start … --end …' });
      }
      const logFile = runLogPath(argv['logs-dir'], 'generate');
      const logger = teeLogger(consoleLogger(io, { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) }), fileLogger(logFile));
      const samples = readParquetFile(samplesFile);
      const series = readParquetFile(seriesFile);
      const { first, last } = sampleRange(samples.table, samplesFile);
      const step = parseDuration(argv.step, '--step');
      const start = argv.start !== undefined ? parseTime(argv.start, '--start') : Math.ceil(first / step) * step;
      const end = argv.end !== undefined ? parseTime(argv.end, '--end') : last;
      if (!(start <= end)) throw new UsageError('BAD_WINDOW', `--start ${formatTime(start)} is after --end ${formatTime(end)}`, { flag: '--start' });
      const d = generateDataset(
        { series: series.table, samples: samples.table },
        {
          metric: argv.metric,
          type: argv.type as FeatureType,
          level: argv.level as Level,
          namespace: argv.namespace,
          nf: argv.nf,
          ...(argv.pod !== undefined ? { pod: argv.pod } : {}),
          by: argv.by,
          start,
          end,
          step,
          rateWindow: parseDuration(argv['rate-window'], '--rate-window'),
          source: argv['data-dir'],
        },
        { logger },
      );
      const out = argv.out;
      const { png, html } = await writeDatasetFiles(d, { metric: argv.metric, type: argv.type, level: argv.level, nf: argv.nf }, out);
      logger.info(`dataset: ${d.summary.rows} rows, ${d.summary.series.length} series, ${formatTime(start)} to ${formatTime(end)} UTC → ${out}, ${png}, ${html}`);
      if (argv.output === 'json') io.out(JSON.stringify({ dataset: out, png, html, logFile, ...d.summary }) + '\n');
      setResult(0);
    },
  };
}
