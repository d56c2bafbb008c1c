import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmfError, UsageError, checkpoint, redactSecrets, writeFileAtomic, makeDir } from '@amf-foresight/core';
import type { Logger, ProgressReporter, RunContext, Stage } from '@amf-foresight/core';
import { defaultWriters } from './artifacts.js';
import type { ArtifactWriter } from './artifacts.js';
import { OWNER_FILE, commitTarget, directoryStore, newRunId, openTarget, versions } from './run-dir.js';
import type { RunTarget } from './run-dir.js';

export class CancelledError extends AmfError {
  constructor(step: string) {
    super('CANCELLED', `cancelled during ${step}; nothing of this run was kept`, {}, { exitCode: 130 });
  }
}

/**
 * An ordered list of stages whose types chain: each stage takes what the one before it gives.
 * `Plan.of(source).then(stage)…` checks the chain at compile time; stage names must be unique.
 */
export class Plan<O> {
  private constructor(readonly stages: readonly Stage<unknown, unknown>[]) {}

  /** A plan with no stage yet: its first stage gets `undefined`. */
  static empty(): Plan<undefined> {
    return new Plan<undefined>([]);
  }

  /** A plan starting with a source (a stage that needs no input). */
  static of<O>(first: Stage<undefined, O>): Plan<O> {
    return Plan.empty().then(first);
  }

  /** This plan followed by `stage`. */
  then<N>(stage: Stage<O, N>): Plan<N> {
    const dup = this.stages.find((s) => s.name === stage.name);
    if (dup)
      throw new UsageError(
        'PLAN_DUPLICATE_STAGE',
        `the plan has a stage named ${JSON.stringify(stage.name)} already; stage names: ${this.names().join(', ')}`,
      );
    return new Plan<N>([...this.stages, stage]);
  }

  names(): string[] {
    return this.stages.map((s) => s.name);
  }
}

/** Runs after a complete run directory exists (an upload); its failure keeps the run. */
export interface Sink {
  readonly name: string;
  /** `output`: the plan's last output (what a remote write sends). */
  run(runDir: string, ctx: { logger: Logger; signal: AbortSignal }, output?: unknown): Promise<Record<string, unknown>>;
}

export interface RunOptions {
  /** Where files go; none: the plan runs in memory and nothing is written. */
  target?: RunTarget;
  /** How outputs are persisted (default: samples, dataset, trained). */
  writers?: ArtifactWriter[];
  /** Recorded in run.json: what the user asked for. */
  inputs?: Record<string, unknown>;
  sinks?: Sink[];
  runId?: string;
}

export interface RunResult<O> {
  runId: string;
  /** The complete run directory (or the `files` target's directory); absent without a target. */
  runDir?: string;
  output: O;
  /** Per stage: seconds and the facts it recorded. */
  steps: Record<string, { seconds: number } & Record<string, unknown>>;
  files: string[];
  sinks: Record<string, Record<string, unknown>>;
}

type Ctx = { logger: Logger; progress: ProgressReporter; signal: AbortSignal };

/** Read afresh at every call: the signal flips between awaits. */
const cancelled = (ctx: Ctx): boolean => ctx.signal.aborted;

async function runStages(
  stages: readonly Stage<unknown, unknown>[],
  workDir: string,
  ctx: Ctx,
  steps: RunResult<unknown>['steps'],
  last: Map<string, unknown>,
): Promise<unknown> {
  let value: unknown = undefined;
  for (const stage of stages) {
    await checkpoint(); // a stage may be synchronous work: a Ctrl-C during the last one is seen here
    if (cancelled(ctx)) throw new CancelledError(stage.name);
    const facts: Record<string, unknown> = {};
    const sctx: RunContext = { ...ctx, workDir, record: (f) => Object.assign(facts, f) };
    ctx.logger.debug(`== ${stage.name}`);
    const t0 = performance.now();
    try {
      value = await stage.run(value, sctx);
    } catch (e) {
      if (cancelled(ctx) && !(e instanceof CancelledError)) throw new CancelledError(stage.name);
      throw e;
    }
    steps[stage.name] = { seconds: (performance.now() - t0) / 1000, ...facts };
    await checkpoint();
    if (cancelled(ctx)) throw new CancelledError(stage.name);
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (typeof kind === 'string') last.set(kind, value);
  }
  return value;
}

/**
 * Runs a plan: each stage in order, timed, with progress and cancellation (ctx.signal); then the
 * last output of each kind is persisted by its writer and run.json written. Everything goes to a
 * temporary directory renamed into place only when all succeeded: a failure or a cancellation
 * leaves nothing half-written. Sinks (an upload) run on the complete directory.
 */
export async function runPlan<O>(plan: Plan<O>, o: RunOptions, ctx: Ctx): Promise<RunResult<O>> {
  const runId = o.runId ?? (o.target?.kind === 'run' ? o.target.runId : undefined) ?? newRunId();
  const where = o.target ? openTarget(o.target, runId) : undefined;
  const tmp = where?.tmp ?? mkdtempSync(join(tmpdir(), 'amf-run-'));
  const workDir = join(tmp, '.work');
  makeDir(workDir);
  writeFileSync(join(tmp, OWNER_FILE), String(process.pid)); // a later run removes this directory if we are killed
  const steps: RunResult<O>['steps'] = {};
  const started = new Date();
  const last = new Map<string, unknown>();
  let files: string[] = [];
  let output: O;
  try {
    output = (await runStages(plan.stages, workDir, ctx, steps, last)) as O;
    rmSync(workDir, { recursive: true, force: true });
    if (o.target && where) {
      const store = directoryStore(tmp);
      for (const w of o.writers ?? defaultWriters()) {
        const v = last.get(w.kind);
        if (v === undefined) continue;
        // Writers are synchronous work: a Ctrl-C is seen between them.
        await checkpoint();
        if (cancelled(ctx)) throw new CancelledError('writing the run');
        files = files.concat(await w.write(v as { kind: string }, store));
      }
      if (o.target.kind === 'run') {
        const metrics = (last.get('trained') as { metrics?: unknown } | undefined)?.metrics;
        const run = {
          runId,
          started: started.toISOString(),
          finished: new Date().toISOString(),
          inputs: redactSecrets(o.inputs ?? {}),
          versions: versions(),
          steps,
          ...(metrics ? { metrics } : {}),
        };
        writeFileAtomic(join(tmp, 'run.json'), JSON.stringify(run, null, 2) + '\n');
        files.push('run.json');
      }
      await checkpoint();
      if (cancelled(ctx)) throw new CancelledError('writing the run');
      commitTarget(o.target, tmp, where.final, runId);
    } else {
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const result: RunResult<O> = { runId, ...(where ? { runDir: where.final } : {}), output, steps, files, sinks: {} };
  if (where) ctx.logger.info(`run ${runId} → ${where.final}`);
  for (const s of o.sinks ?? []) {
    if (!where) throw new UsageError('SINK_WITHOUT_RUN', `sink ${s.name} needs a run directory: give the run a target`);
    result.sinks[s.name] = await s.run(where.final, ctx, output);
  }
  return result;
}
