import type { Logger } from './logger.js';

/** Progress of long work: `total` may be unknown. Reporters must be cheap to call often. */
export interface ProgressReporter {
  start(task: string, total?: number, unit?: string): void;
  advance(by: number): void;
  done(summary?: string): void;
}

export const silentProgress: ProgressReporter = { start() {}, advance() {}, done() {} };

/**
 * Files of one run. Only the runner's artifact writers use it: stages hand typed values on and
 * never write their outputs themselves (DESIGN §3).
 */
export interface ArtifactStore {
  /** Where a file of the run lies while the run is written (its directory is created). */
  path(name: string): string;
  /** Writes the files all-or-none; names are relative to the run directory. */
  write(files: { name: string; data: string | Uint8Array }[]): void;
}

/** Everything a stage may touch besides its typed input and options (DESIGN §3). */
export interface RunContext {
  logger: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  /** A scratch directory of this run for intermediate files; removed with the run if it fails. */
  workDir: string;
  /** Facts about the stage's work, recorded in run.json under `steps.<stage name>`. */
  record(facts: Record<string, unknown>): void;
}

/**
 * One step of a pipeline. Stages read no env vars or argv: configuration arrives as typed
 * options when the stage is built, inputs arrive through `run`.
 */
export interface Stage<I, O> {
  readonly name: string;
  run(input: I, ctx: RunContext): Promise<O>;
}

/** A context for calling one stage outside a runner (tests, scripts): silent, never cancelled. */
export function standaloneContext(o: Partial<RunContext> = {}): RunContext {
  const facts: Record<string, unknown> = {};
  return {
    logger: o.logger ?? { debug() {}, info() {}, warn() {}, error() {} },
    progress: o.progress ?? silentProgress,
    signal: o.signal ?? new AbortController().signal,
    workDir: o.workDir ?? '.',
    record: o.record ?? ((f) => Object.assign(facts, f)),
  };
}

/**
 * Lets the event loop run once, then throws if `signal` was aborted. A signal (Ctrl-C) is read in
 * the loop's poll phase, which a single setImmediate may skip (from the poll phase it runs in the
 * check phase just after); two in a row always have a poll phase between them. Long synchronous work
 * calls this between its pieces so that a cancelled run stops there.
 */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
  signal?.throwIfAborted();
}
