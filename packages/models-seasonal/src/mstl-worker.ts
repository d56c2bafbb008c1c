import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AmfError, GuardedWorker, TIMED_OUT } from '@amf-foresight/core';

/**
 * augurs' MSTL runs in a guarded worker thread: its fit is one synchronous WebAssembly call (23 s on
 * 100 000 points), which on the main thread would hold Ctrl-C until it returned. Awaited in the
 * worker, a cancelled run ends the worker at once. Fitted models stay in the worker, by id, so
 * `predict` (fast) is a short synchronous call; the worker keeps the latest KEEP of them, and a model
 * it no longer has (dropped, or lost with a replaced worker) is fitted again from its values.
 */
const WORKER_SOURCE = `
const KEEP = workerData.data.keep;
const models = new Map();
function drop(id) {
  const model = models.get(id);
  models.delete(id);
  if (model) model.free();
}
function fit(m, { id, y, periods, impute }) {
  const model = m.MSTL.ets(periods, { impute });
  try {
    model.fit(y);
  } catch (e) {
    return { noFit: message(e) };
  }
  drop(id);
  models.set(id, model);
  for (const old of models.keys()) if (models.size > KEEP) drop(old);
  return { ok: true };
}
function predict(model, h, levels) {
  return levels.map((level) => {
    const f = model.predict(h, level);
    const i = f.intervals;
    return { point: f.point, lower: i ? i.lower : null, upper: i ? i.upper : null };
  });
}
import(workerData.data.url).then(
  (m) => {
    m.initSync({ module: require('node:fs').readFileSync(workerData.data.wasm) });
    serve((job) => {
      if (job.op === 'fit') return fit(m, job);
      if (job.op === 'free') return void drop(job.id);
      let model = models.get(job.id);
      if (!model && job.y) {
        const r = fit(m, job);
        if (r.noFit) return r;
        model = models.get(job.id);
      }
      return model ? { forecasts: predict(model, job.h, job.levels) } : { missing: true };
    });
  },
  (e) => failed(new Error('cannot load augurs MSTL: ' + message(e))),
);
`;

/** Fitted models the worker keeps: a backtest's windows and the final fit, with room to spare. */
const KEEP = 16;

function augursFiles(): { url: string; wasm: string } {
  const entry = createRequire(import.meta.url).resolve('@bsull/augurs/mstl');
  return { url: pathToFileURL(entry).href, wasm: join(dirname(entry), 'mstl_bg.wasm') };
}

const worker = new GuardedWorker({
  source: WORKER_SOURCE,
  data: () => ({ ...augursFiles(), keep: KEEP }),
  codes: { failed: 'MSTL_WORKER_FAILED', crashed: 'MSTL_WORKER_CRASHED' },
  what: 'the MSTL worker',
});

export interface MstlJob {
  y: number[];
  periods: number[];
  impute: boolean;
}

/** One level's forecast as augurs gives it (lower/upper null when the trend model gave none). */
export interface MstlLevelForecast {
  point: number[];
  lower: number[] | null;
  upper: number[] | null;
}

type Answer = { ok: true } | { noFit: string } | { forecasts: MstlLevelForecast[] } | { missing: true };

let nextId = 1;
/** Frees a model in the worker when its MstlEts is collected. */
const registry = new FinalizationRegistry<number>((id) => {
  if (worker.alive) worker.call({ op: 'free', id }).catch(() => undefined);
});

/** A fitted model in the worker. */
export class MstlHandle {
  private constructor(
    private readonly id: number,
    private readonly job: MstlJob,
  ) {}

  /**
   * Fits in the worker, awaited: `signal` ends the worker (and the fit) at once. Returns the handle,
   * or the reason augurs found no model. The model is freed in the worker when `owner` is collected.
   */
  static async fit(job: MstlJob, owner: object, signal?: AbortSignal): Promise<MstlHandle | { noFit: string }> {
    const id = nextId++;
    const a = (await worker.call({ op: 'fit', id, ...job }, signal ? { signal } : {})) as Answer;
    if ('noFit' in a) return a;
    registry.register(owner, id);
    return new MstlHandle(id, job);
  }

  /**
   * The forecast at each level (0–1), a short blocking call. A model the worker no longer has is
   * fitted again from its values first (deterministic: the same forecast), within `refitMs`.
   */
  predict(h: number, levels: number[], refitMs = 120_000): MstlLevelForecast[] {
    const first = this.ask({ op: 'predict', id: this.id, h, levels }, refitMs);
    const a = 'missing' in first ? this.ask({ op: 'predict', id: this.id, h, levels, ...this.job }, refitMs) : first;
    if ('forecasts' in a) return a.forecasts;
    throw new AmfError('MSTL_WORKER_FAILED', `the MSTL worker could not refit a model it had fitted before`);
  }

  private ask(msg: Record<string, unknown>, ms: number): Answer {
    const a = worker.callSync(msg, ms);
    if (a === TIMED_OUT) {
      worker.restart();
      throw new AmfError('MSTL_WORKER_TIMEOUT', `the MSTL worker did not answer within ${ms / 1000} s`, {
        hint: 'it was restarted; try again',
      });
    }
    return a as Answer;
  }
}

/** Ends the worker (tests); the next fit starts a new one. */
export function stopMstlWorker(): Promise<void> {
  return worker.stop();
}

/** Replaces the worker, as a cancelled run does (tests): fitted models are refitted on their next predict. */
export function restartMstlWorker(): void {
  worker.restart();
}
