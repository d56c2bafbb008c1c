import yargs from 'yargs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromSystemError, isAmfError } from '@amf-foresight/core';
import { demoCommand } from './commands/demo.js';
import { downloadCommand } from './commands/download.js';
import { fleetCommand } from './commands/fleet.js';
import { runCommand } from './commands/pipeline.js';
import { generateCommand } from './commands/generate.js';
import { processCommand } from './commands/process.js';
import { forecastCommand, trainCommand } from './commands/train.js';
import { tsdbCommand } from './commands/tsdb.js';
import { workerCommand } from './commands/worker.js';
import { processIo } from './io.js';
import { CLI_VERSION } from './version.js';
import type { Io } from './io.js';

/**
 * Runs the CLI and returns the exit code (DESIGN §4): 0 done, 2 bad usage or input,
 * 3 data not found, 1 anything unexpected. The only place errors become exit codes.
 */
export async function main(args: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const setResult = (c: number) => {
    code = c;
  };
  const parser = yargs()
    .scriptName('amf-foresight')
    .usage(
      '$0 <command> [options]\n$0 [--download] [--process --start … --end …] [--generate --metric … ' +
        '--type … --level …] [--train --model … [--data …]]\n\nForecast CPU and memory of 5G core ' +
        'network functions from Prometheus TSDB blocks.',
    )
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only warnings and errors on stderr' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'Debug output on stderr' })
    .option('output', {
      choices: ['text', 'json'] as const,
      default: 'text' as const,
      describe: 'Summary format on stdout',
    })
    .command(runCommand(io, setResult))
    .command('tsdb', 'Read Prometheus TSDB blocks: dump samples, list blocks', (y) => tsdbCommand(y, io, setResult))
    .command(downloadCommand(io, setResult))
    .command(processCommand(io, setResult))
    .command(generateCommand(io, setResult))
    .command(trainCommand(io, setResult))
    .command(forecastCommand(io, setResult))
    .command(demoCommand(io, setResult))
    .command(fleetCommand(io, setResult))
    .command(workerCommand(io, setResult))
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(CLI_VERSION)
    .wrap(Math.min(110, process.stdout.isTTY ? process.stdout.columns : 100))
    .exitProcess(false)
    .fail((msg: string | undefined, err: Error | undefined) => {
      if (err) throw err;
      throw new CliUsage(msg ?? 'bad usage');
    });
  const json = wantsJson(args);
  try {
    refuseRepeats(args);
    let printed = '';
    // With a callback, yargs hands --help/--version text back instead of printing it.
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      printed = output;
    });
    if (printed) io.out(printed.endsWith('\n') ? printed : printed + '\n');
    return code;
  } catch (e) {
    return report(e, io, json);
  }
}

/**
 * The one error path: a usage error, an AmfError or an operating-system error a user can meet (full
 * disk, permissions) is one line and its exit code; anything else is our bug: one line asking for a
 * report, exit 1, and the stack in a crash file rather than on the terminal.
 */
function report(e: unknown, io: Io, json: boolean): number {
  if (e instanceof CliUsage) {
    if (json) io.err(JSON.stringify({ error: { code: 'USAGE', message: e.message, exitCode: 2 } }) + '\n');
    else io.err(`amf-foresight: ${e.message} (amf-foresight --help explains) [USAGE]\n`);
    return 2;
  }
  const known = isAmfError(e) ? e : fromSystemError(e);
  if (known) {
    if (json)
      io.err(
        JSON.stringify({
          error: { code: known.code, message: known.message, exitCode: known.exitCode, ...known.details },
        }) + '\n',
      );
    // One line, whatever the message quotes (a damaged file's bytes may hold newlines).
    else io.err(`amf-foresight: ${known.describe().replace(/\s*\n\s*/g, ' ')} [${known.code}]\n`);
    return known.exitCode;
  }
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const crash = join(tmpdir(), `amf-foresight-crash-${Date.now()}-${process.pid}.log`);
  try {
    writeFileSync(
      crash,
      `${new Date().toISOString()} amf-foresight ${CLI_VERSION}\n${(e as Error | undefined)?.stack ?? message}\n`,
    );
  } catch {
    // the report line below still says what happened
  }
  const where = `this is a bug in amf-foresight; please report it with ${crash}`;
  if (json) io.err(JSON.stringify({ error: { code: 'UNEXPECTED', message, exitCode: 1, crashReport: crash } }) + '\n');
  else io.err(`amf-foresight: unexpected error: ${message}: ${where} [UNEXPECTED]\n`);
  return 1;
}

class CliUsage extends Error {}

/** Options that take several values by being repeated. */
const REPEATABLE = new Set(['model-param']);

/**
 * A flag given twice is refused: yargs would make it a list, and the commands would drop it or
 * misread it (`--endpoint X --endpoint Y` sent the signed request to AWS).
 */
function refuseRepeats(args: string[]): void {
  const seen = new Set<string>();
  for (const a of args) {
    if (a === '--') return;
    const m = /^--([a-zA-Z][\w-]*)(=|$)/.exec(a);
    if (!m || REPEATABLE.has(m[1]!)) continue;
    if (seen.has(m[1]!)) throw new CliUsage(`--${m[1]!} was given more than once; give it once`);
    seen.add(m[1]!);
  }
}

/** `--output json` (or `--output=json`) anywhere: errors are then one JSON line on stderr too. */
function wantsJson(args: string[]): boolean {
  const i = args.indexOf('--output');
  return args.includes('--output=json') || (i >= 0 && args[i + 1] === 'json');
}
