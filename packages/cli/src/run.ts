import type { Argv } from 'yargs';
import type { Logger, ProgressReporter } from '@amf-foresight/core';
import { consoleOutput, fileLogger, teeLogger } from './console.js';
import type { Io } from './io.js';

export interface CommonArgs {
  quiet?: boolean;
  verbose?: boolean;
  output?: string;
}

/** The parsed flags of a command, from its builder's return type. */
export type ArgsOf<A> = A extends Argv<infer T> ? T : never;

export interface CommandContext {
  logger: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  /** Where this command's log file is (when it keeps one). */
  logFile?: string;
}

/**
 * The terminal, the log file and Ctrl-C for one command: `work` gets a context whose signal is
 * aborted by the first SIGINT/SIGTERM (the run stops and keeps nothing half-written); a second
 * one exits at once with 130.
 */
export async function withCommand<T>(
  io: Io,
  args: object,
  logFile: string | undefined,
  work: (ctx: CommandContext) => Promise<T>,
  /** What the first signal does, said in its warning (default: the run is cancelled). */
  onFirstSignal = 'cancelling the run (keeping nothing half-done; again to stop at once)…',
): Promise<T> {
  const argv = args as CommonArgs;
  const out = consoleOutput(io, { quiet: Boolean(argv.quiet), verbose: Boolean(argv.verbose) });
  const file = logFile !== undefined ? fileLogger(logFile) : undefined;
  const logger = file ? teeLogger(out.logger, file) : out.logger;
  const ac = new AbortController();
  const onSignal = (sig: string) => {
    if (ac.signal.aborted) {
      // A second Ctrl-C does not wait: an unfinished run stays under its .tmp- name, never in place.
      logger.warn(`${sig} again: stopping now`);
      process.exit(130);
    }
    logger.warn(`${sig}: ${onFirstSignal}`);
    ac.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work({
      logger,
      progress: out.progress,
      signal: ac.signal,
      ...(logFile !== undefined ? { logFile } : {}),
    });
  } catch (e) {
    file?.error(e instanceof Error ? e.message : String(e)); // the terminal gets it once, from main
    throw e;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
