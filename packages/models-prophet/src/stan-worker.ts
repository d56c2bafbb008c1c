import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AmfError, GuardedWorker, TIMED_OUT } from '@amf-foresight/core';

/**
 * Prophet's Stan model (the wasmstan component) runs in a guarded worker thread, called
 * synchronously (augurs calls its optimiser synchronously) with a time limit. The component's WASI
 * shim does its I/O through a helper thread it waits on with no timeout; rarely (seen once in ~20
 * processes) that wait never returns, which would freeze the whole process. Here only the worker
 * can freeze: the call times out, the worker is replaced, and the fit is tried once more.
 */
const WORKER_SOURCE = `
import(workerData.data.url).then(
  (m) => serve(({ init, data, opts }) => {
    const out = m.optimizer.optimize(init, data, opts);
    return { params: out.params, logs: out.logs };
  }),
  (e) => failed(new Error('cannot load the Stan model: ' + message(e))),
);
`;

export interface StanOutput {
  params: { k: number; m: number; delta: Float64Array; beta: Float64Array; sigmaObs: number };
  logs: Record<string, string>;
}

export class StanTimeoutError extends AmfError {
  constructor(what: string, seconds: number) {
    super(
      'PROPHET_STAN_TIMEOUT',
      `Prophet: the Stan model did not answer ${what} within ${seconds} s`,
      { hint: 'it was restarted; try again' },
      { exitCode: 1 },
    );
  }
}

const stan = new GuardedWorker({
  source: WORKER_SOURCE,
  data: () => ({ url: pathToFileURL(createRequire(import.meta.url).resolve('@bsull/augurs-prophet-wasmstan')).href }),
  codes: { failed: 'PROPHET_STAN_FAILED', crashed: 'PROPHET_STAN_CRASHED' },
  what: 'the Stan model',
});

/** How many times the Stan worker was replaced after not answering (for tests and logs). */
export function stanRestarts(): number {
  return stan.restarts;
}

export function stopStanWorker(): void {
  void stan.stop();
}

/**
 * One call of the Stan optimiser, synchronously, in the worker. `timeoutMs` bounds the fit;
 * on a timeout the worker is replaced and the call made once more.
 */
export function optimizeInWorker(
  init: unknown,
  data: string,
  opts: Record<string, unknown>,
  timeoutMs: number,
): StanOutput {
  for (let attempt = 0; ; attempt++) {
    if (stan.readySync(30_000) === TIMED_OUT) {
      stan.restart();
      throw new StanTimeoutError('while loading', 30);
    }
    const out = stan.callSync({ init, data, opts }, timeoutMs);
    if (out !== TIMED_OUT) return out as StanOutput;
    stan.restart();
    if (attempt > 0) throw new StanTimeoutError('while fitting', timeoutMs / 1000);
  }
}
