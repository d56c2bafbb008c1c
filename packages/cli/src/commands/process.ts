import type { CommandModule } from 'yargs';
import { UsageError, checkWindow, parseTime, writeFilesAtomic } from '@amf-foresight/core';
import { fetchSamplesFromPrometheus, parquetBytes, processBlocks } from '@amf-foresight/tsdb-ingest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CACHE_DIR } from '../config.js';
import { consoleLogger, fileLogger, runLogPath, teeLogger } from '../console.js';
import type { Io } from '../io.js';

export function processCommand(io: Io, setResult: (code: number) => void): CommandModule<{ quiet?: boolean; verbose?: boolean; output?: string }, any> {
  return {
    command: 'process',
    describe: 'Decode the cached blocks of a window into samples.parquet and series.parquet; logs the available range to logs/',
    builder: (y) =>
      y
        .option('start', { type: 'string', describe: 'Window start, "YYYY-MM-DD HH:MM:SS" UTC (inclusive)' })
        .option('end', { type: 'string', describe: 'Window end (inclusive)' })
        .option('local-path', { type: 'string', describe: `Block cache or Prometheus data dir (env: local_path, AMF_FORESIGHT_CACHE_DIR; default ${DEFAULT_CACHE_DIR})` })
        .option('match', { type: 'string', describe: 'Only series matching this PromQL selector' })
        .option('prometheus-url', { type: 'string', describe: 'Read raw samples from a live Prometheus HTTP API instead of blocks (env: AMF_FORESIGHT_PROMETHEUS_URL)' })
        .option('out-dir', { type: 'string', default: 'data/samples', describe: 'Where the Parquet files go' })
        .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
        .example('$0 process --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"', 'the prototype\'s process step')
        .example('$0 process --start "2023-06-05" --end "2023-06-12" --local-path /var/lib/prometheus/metrics2 --match \'{namespace="openverso"}\'', 'a local Prometheus data dir'),
    handler: async (argv) => {
      if (argv.start === undefined || argv.end === undefined) {
        throw new UsageError('MISSING_WINDOW', '--process needs --start and --end', { flag: argv.start === undefined ? '--start' : '--end', hint: 'e.g. --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"' });
      }
      const start = parseTime(argv.start, '--start');
      const end = parseTime(argv.end, '--end');
      checkWindow(start, end);
      const dataDir = argv['local-path'] ?? (process.env.local_path || process.env.AMF_FORESIGHT_CACHE_DIR || DEFAULT_CACHE_DIR);
      const logFile = runLogPath(argv['logs-dir'], 'process');
      const file = fileLogger(logFile);
      const logger = teeLogger(consoleLogger(io, { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) }), file);
      const promUrl = argv['prometheus-url'] ?? process.env.AMF_FORESIGHT_PROMETHEUS_URL;
      try {
        if (promUrl) {
          const t = await fetchSamplesFromPrometheus({ url: promUrl, start, end, ...(argv.match !== undefined ? { matchers: argv.match } : {}) }, { logger });
          mkdirSync(argv['out-dir'], { recursive: true });
          const meta = { kind: 'samples', start, end, matchers: argv.match ?? null, source: promUrl, version: 1 };
          writeFilesAtomic([
            { path: join(argv['out-dir'], 'series.parquet'), data: parquetBytes(t.series, { ...meta, kind: 'series' }) },
            { path: join(argv['out-dir'], 'samples.parquet'), data: parquetBytes(t.samples, meta) },
          ]);
          logger.info(`wrote ${t.stats.samples} samples of ${t.stats.seriesMatched} series from ${promUrl} to ${argv['out-dir']}`);
          if (argv.output === 'json') io.out(JSON.stringify({ samples: t.stats.samples, series: t.stats.seriesMatched, source: promUrl, logFile }) + '\n');
          setResult(0);
          return;
        }
        const r = await processBlocks({ dataDir, start, end, outDir: argv['out-dir'], ...(argv.match !== undefined ? { matchers: argv.match } : {}) }, { logger });
        if (argv.output === 'json') io.out(JSON.stringify({ ...r, logFile }) + '\n');
      } catch (e) {
        file.error(e instanceof Error ? e.message : String(e)); // the console gets it once, from main
        throw e;
      }
      setResult(0);
    },
  };
}
