import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { DataNotFoundError } from '@amf-foresight/core';
import type { Io } from '../io.js';
import type { ArgsOf, CommonArgs } from '../run.js';
import { printRun, runFromArgs } from './pipeline.js';

/** The embedded sample: 7 days of a simulated Open5GS deployment (packages/cli/sample-data). */
export const SAMPLE_BLOCKS = join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-data', 'blocks');

function demoOptions(y: Argv<CommonArgs>) {
  return y
    .option('model', { type: 'string', default: 'ARIMA', describe: 'Model to train' })
    .option('type', { type: 'string', default: 'utilization', describe: 'Feature: memory, cpu, utilization' })
    .coerce('type', (v: string) => v.toLowerCase())
    .option('horizon', { type: 'number', default: 60, describe: 'Forecast horizon in steps (1-minute grid)' })
    .option('windows', { type: 'number', default: 3, describe: 'Backtest windows' })
    .option('model-param', { type: 'string', array: true, describe: 'A model parameter key=value, repeatable' })
    .option('runs-dir', { type: 'string', default: 'runs', describe: 'Where the run directory goes' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .option('export-blocks', {
      type: 'string',
      describe: 'Also write the forecast as Prometheus TSDB blocks into this data directory (docs/EXPORT.md)',
    })
    .option('remote-write', {
      type: 'string',
      describe: 'Send the forecast to a Prometheus remote-write receiver (docs/EXPORT.md)',
    })
    .example('$0 demo', 'ARIMA on AMF CPU utilization of the sample')
    .example('$0 demo --model PROPHET --type memory', 'Prophet on AMF memory');
}

export function demoCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof demoOptions>>> {
  return {
    command: 'demo',
    describe:
      'The whole pipeline on the embedded sample blocks: process two days, AMF CPU utilization, train, forecast, plot',
    builder: demoOptions,
    handler: async (argv) => {
      if (!existsSync(SAMPLE_BLOCKS))
        throw new DataNotFoundError('NO_SAMPLE', 'the embedded sample blocks are missing from this installation', {
          file: SAMPLE_BLOCKS,
        });
      const metric =
        argv.type === 'memory' ? 'container_memory_working_set_bytes' : 'container_cpu_usage_seconds_total';
      const args = {
        ...argv,
        process: true,
        generate: true,
        train: true,
        'local-path': SAMPLE_BLOCKS,
        start: '2023-06-09 00:00:00',
        end: '2023-06-11 00:00:00',
        metric,
        level: 'amf',
        step: '1m',
        'rate-window': '5m',
        namespace: 'openverso',
        nf: 'amf',
      };
      if (!argv.quiet && argv.output !== 'json')
        io.err(
          `demo: sample blocks ${SAMPLE_BLOCKS}\n      window 2023-06-09 00:00:00 – 2023-06-11 ` +
            `00:00:00 UTC, ${metric} (${argv.type}, level amf), model ${argv.model}, horizon ` +
            `${argv.horizon} min\n`,
        );
      const r = await runFromArgs(args, io, {});
      printRun(r, argv, io);
      setResult(0);
    },
  };
}
