import type { Logger } from './logger.js';

/** Progress of long work: `total` may be unknown. Reporters must be cheap to call often. */
export interface ProgressReporter {
  start(task: string, total?: number, unit?: string): void;
  advance(by: number): void;
  done(summary?: string): void;
}

export const silentProgress: ProgressReporter = { start() {}, advance() {}, done() {} };

/** Everything a stage may touch besides its typed input and options (DESIGN §3). */
export interface RunContext {
  logger: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  /** Directory the stage may write intermediate files to. */
  workDir: string;
}

/**
 * One step of a pipeline. Stages read no env vars or argv: configuration arrives as typed
 * options when the stage is built, inputs arrive through `run`.
 */
export interface Stage<I, O> {
  readonly name: string;
  run(input: I, ctx: RunContext): Promise<O>;
}
