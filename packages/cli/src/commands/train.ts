import { basename, dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, checkHorizon } from '@amf-foresight/core';
import {
  Plan,
  checkModel,
  datasetFileSource,
  datasetWriter,
  forecastStage,
  forecastWriter,
  modelNames,
  newRunId,
  parseParamFlags,
  runPlan,
  scaleNote,
  trainStage,
  trainedWriter,
} from '@amf-foresight/orchestrator';
import type { ArtifactWriter, ForecastOutput, RunResult, Trained } from '@amf-foresight/orchestrator';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';
import { trainExtras } from './pipeline.js';

/** The model flags shared by `train` and the prototype's `--train`. */
export function modelOptions<T>(y: Argv<T>) {
  return y
    .option('model', { type: 'string', describe: `${modelNames().join(', ')} or auto (case-insensitive)` })
    .option('model-param', {
      type: 'string',
      array: true,
      describe:
        'A model parameter key=value, repeatable (e.g. seed=7, window=720, order=1,1,1); each model checks its own',
    })
    .option('horizon', { type: 'number', default: 12, describe: 'Forecast horizon in steps' })
    .option('windows', { type: 'number', default: 7, describe: 'Backtest windows' })
    .option('backtest-step', {
      type: 'number',
      describe: 'Steps between backtest origins (default: the horizon)',
    })
    .option('season', {
      type: 'number',
      describe: 'Season in steps for SNAIVE/MSTL and the MASE scale (default: one day)',
    })
    .option('series', { type: 'string', describe: 'unique_id to train on (default: the first)' });
}

export function printTrained(r: RunResult<Trained>, argv: CommonArgs, io: Io): void {
  const m = r.output.metrics;
  if (argv.output === 'json') io.out(JSON.stringify({ runId: r.runId, runDir: r.runDir, ...m }) + '\n');
  else if (!argv.quiet)
    io.err(
      `run ${r.runId}: ${r.runDir}\n  model ${m.model} on ${m.series} (${m.points} points): backtest ` +
        `MASE ${m.backtest.mean.mase.toFixed(3)}${scaleNote(m.backtest.maseScale)}, 90 % coverage ` +
        `${(100 * m.backtest.mean.coverage90).toFixed(0)} %\n  forecast: ${join(r.runDir!, 'forecast.png')}\n`,
    );
}

function trainOptions(y: Argv<CommonArgs>) {
  return modelOptions(y)
    .option('data', {
      type: 'string',
      default: 'data/dataset.parquet',
      describe: "Dataset Parquet (from generate, or the prototype's date_col/values/container)",
    })
    .option('runs-dir', {
      type: 'string',
      default: 'runs',
      describe: 'The run goes to <runs-dir>/<id>/ (runs/latest points at it)',
    })
    .option('out-dir', {
      type: 'string',
      describe: 'Write the run here instead; it must not exist or be empty (a finished run is never overwritten)',
    })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the run log goes' })
    .example('$0 train --data data/dataset.parquet --model ARIMA', "the prototype's train step")
    .example(
      '$0 train --model auto --horizon 12 --windows 7',
      'the mean of ARIMA, THETA and seasonal ARIMA, calibrated intervals',
    )
    .example('$0 train --model LSTM --model-param window=720 --model-param seed=7', 'model parameters');
}

export function trainCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof trainOptions>>> {
  return {
    command: 'train',
    describe:
      'Fit a model to a dataset, evaluate it (prototype 70/20/10 split and rolling-origin backtest), ' +
      'save it with its forecast in a new run directory',
    builder: trainOptions,
    handler: async (argv) => {
      if (argv.model === undefined)
        throw new UsageError('MISSING_FLAG', '--train needs --model', { flag: '--model', hint: 'e.g. --model ARIMA' });
      const params = parseParamFlags(argv['model-param']);
      checkModel(argv.model, params);
      checkHorizon(argv.horizon);
      const out = argv['out-dir'];
      const runId = out !== undefined ? basename(out) : newRunId();
      const target =
        out !== undefined
          ? { kind: 'run' as const, runsDir: dirname(out), runId, latest: false }
          : { kind: 'run' as const, runsDir: argv['runs-dir'], runId };
      const plan = Plan.of(datasetFileSource(argv.data)).then(
        trainStage({ model: argv.model, params, horizon: argv.horizon, windows: argv.windows, ...trainExtras(argv) }),
      );
      const inputs = Object.fromEntries(
        Object.entries(argv).filter(([k]) => k !== '_' && k !== '$0' && !/[A-Z]/.test(k)),
      );
      const r = await withCommand(io, argv, join(argv['logs-dir'], `${runId}.log`), (ctx) =>
        runPlan(
          plan,
          { target, writers: [datasetWriter() as ArtifactWriter, trainedWriter() as ArtifactWriter], inputs },
          ctx,
        ),
      );
      printTrained(r, argv, io);
      setResult(0);
    },
  };
}

function forecastOptions(y: Argv<CommonArgs>) {
  return y
    .option('model-dir', { type: 'string', demandOption: true, describe: 'A model/ directory written by train' })
    .option('horizon', {
      type: 'number',
      default: 12,
      describe:
        'Steps ahead (any number for ARIMA, THETA, NAIVE, SNAIVE, MSTL, PROPHET, auto; LSTM chains its ' +
        'network past its trained horizon)',
    })
    .option('data', { type: 'string', describe: 'Refit the same kind of model on this dataset first (newer data)' })
    .option('series', { type: 'string', describe: 'unique_id in --data' })
    .option('out', { type: 'string', describe: 'Write forecast Parquet here instead of printing it' })
    .example('$0 forecast --model-dir runs/latest/model --horizon 24', 'the next 24 steps');
}

export function forecastCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof forecastOptions>>> {
  return {
    command: 'forecast',
    describe: 'Forecast from a saved model directory (CSV on stdout, JSON with --output json, or Parquet with --out)',
    builder: forecastOptions,
    handler: async (argv) => {
      checkHorizon(argv.horizon);
      const stage = forecastStage({
        modelDir: argv['model-dir'],
        horizon: argv.horizon,
        ...(argv.data !== undefined ? { data: argv.data } : {}),
        ...(argv.series !== undefined ? { series: argv.series } : {}),
      });
      const out = argv.out;
      // --out FILE: the Parquet written whole into its directory; otherwise printed.
      const options =
        out === undefined
          ? {}
          : {
              target: { kind: 'files' as const, dir: dirname(out) },
              writers: [forecastWriter(basename(out, '.parquet')) as ArtifactWriter],
            };
      if (out !== undefined && !out.endsWith('.parquet'))
        throw new UsageError(
          'BAD_OUT',
          `--out names a Parquet file and must end in .parquet, got ${JSON.stringify(out)}`,
          { flag: '--out' },
        );
      const r = await withCommand(io, argv, undefined, (ctx) => runPlan(Plan.of(stage), options, ctx));
      if (out === undefined)
        io.out(argv.output === 'json' ? forecastJson(r.output.table) : forecastCsv(r.output.table));
      setResult(0);
    },
  };
}

type Tbl = ForecastOutput['table'];
const cell = (t: Tbl, n: string, i: number): string | number =>
  n === 'ds' ? new Date(Number(t.getChild(n)!.get(i))).toISOString() : (t.getChild(n)!.get(i) as string | number);

function forecastCsv(t: Tbl): string {
  const names = t.schema.fields.map((x) => x.name);
  let csv = names.join(',') + '\n';
  for (let i = 0; i < t.numRows; i++) csv += names.map((n) => String(cell(t, n, i))).join(',') + '\n';
  return csv;
}

/** One JSON document: the columns' names and one object per forecast step. */
function forecastJson(t: Tbl): string {
  const names = t.schema.fields.map((x) => x.name);
  const rows = Array.from({ length: t.numRows }, (_, i) => Object.fromEntries(names.map((n) => [n, cell(t, n, i)])));
  return JSON.stringify({ columns: names, rows }) + '\n';
}
