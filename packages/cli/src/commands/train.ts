import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError, checkHorizon } from '@amf-foresight/core';
import { forecastTable, loadModel, makeModel, normaliseModelName, readSeries, trainModel } from '@amf-foresight/orchestrator';
import { writeParquetFile } from '@amf-foresight/tsdb-ingest';
import { consoleLogger } from '../console.js';
import type { Io } from '../io.js';

type Args = { quiet?: boolean; verbose?: boolean; output?: string };

export function trainCommand(io: Io, setResult: (code: number) => void): CommandModule<Args, any> {
  return {
    command: 'train',
    describe: 'Fit a model to a dataset, evaluate it (prototype 70/20/10 split and rolling-origin backtest), save it with its forecast',
    builder: (y) =>
      y
        .option('data', { type: 'string', default: 'data/dataset.parquet', describe: 'Dataset Parquet (from generate, or the prototype\'s date_col/values/container)' })
        .option('model', { type: 'string', describe: 'NAIVE, SNAIVE, MSTL, ARIMA, PROPHET, LSTM or auto (case-insensitive)' })
        .option('series', { type: 'string', describe: 'unique_id to train on (default: the first)' })
        .option('horizon', { type: 'number', default: 12, describe: 'Forecast horizon in steps' })
        .option('windows', { type: 'number', default: 7, describe: 'Backtest windows' })
        .option('backtest-step', { type: 'number', describe: 'Steps between backtest origins (default: the horizon)' })
        .option('season', { type: 'number', describe: 'Season in steps for SNAIVE/MSTL (default: one day)' })
        .option('out-dir', { type: 'string', default: 'runs/latest', describe: 'Where model/, forecast.parquet and metrics.json go' })
        .example('$0 train --data data/dataset.parquet --model ARIMA', "the prototype's train step")
        .example('$0 train --model auto --horizon 12 --windows 7', 'backtest SNAIVE, MSTL and ARIMA, keep the best'),
    handler: async (argv) => {
      if (argv.model === undefined) throw new UsageError('MISSING_FLAG', '--train needs --model', { flag: '--model', hint: 'e.g. --model ARIMA' });
      const log = consoleLogger(io, { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) });
      const r = await trainModel(
        {
          data: argv.data,
          model: argv.model,
          horizon: argv.horizon,
          windows: argv.windows,
          outDir: argv['out-dir'],
          ...(argv.series !== undefined ? { series: argv.series } : {}),
          ...(argv['backtest-step'] !== undefined ? { backtestStep: argv['backtest-step'] } : {}),
          ...(argv.season !== undefined ? { season: argv.season } : {}),
        },
        { logger: log },
      );
      if (argv.output === 'json') {
        const { files: _files, ...summary } = r;
        io.out(JSON.stringify(summary) + '\n');
      }
      setResult(0);
    },
  };
}

export function forecastCommand(io: Io, setResult: (code: number) => void): CommandModule<Args, any> {
  return {
    command: 'forecast',
    describe: 'Forecast from a saved model directory (printed as CSV, or written as Parquet with --out)',
    builder: (y) =>
      y
        .option('model-dir', { type: 'string', demandOption: true, describe: 'A model/ directory written by train' })
        .option('horizon', { type: 'number', default: 12, describe: 'Steps ahead' })
        .option('data', { type: 'string', describe: 'Refit the same kind of model on this dataset first (newer data)' })
        .option('series', { type: 'string', describe: 'unique_id in --data' })
        .option('out', { type: 'string', describe: 'Write forecast Parquet here instead of CSV on stdout' })
        .example('$0 forecast --model-dir runs/latest/model --horizon 24', 'the next 24 steps'),
    handler: async (argv) => {
      checkHorizon(argv.horizon);
      let model = await loadModel(argv['model-dir']);
      const seriesFile = join(argv['model-dir'], 'series.json');
      let id = existsSync(seriesFile) ? (JSON.parse(readFileSync(seriesFile, 'utf8')) as { unique_id: string }).unique_id : 'series';
      if (argv.data !== undefined) {
        const r = readSeries(argv.data, argv.series);
        id = r.id;
        model = await makeModel(normaliseModelName(model.name) as never, { maxHorizon: argv.horizon }).fit(r.series);
      }
      const f = model.predict(argv.horizon);
      const t = forecastTable(id, model.name, f);
      if (argv.out !== undefined) {
        writeParquetFile(argv.out, t, { kind: 'forecast', model: model.name, horizon: argv.horizon, version: 1 });
      } else {
        const names = t.schema.fields.map((x) => x.name);
        let csv = names.join(',') + '\n';
        for (let i = 0; i < t.numRows; i++) csv += names.map((n) => (n === 'ds' ? new Date(Number(t.getChild(n)!.get(i))).toISOString() : String(t.getChild(n)!.get(i)))).join(',') + '\n';
        io.out(csv);
      }
      setResult(0);
    },
  };
}
