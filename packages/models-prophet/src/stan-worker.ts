import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AmfError, GuardedWorker } from '@amf-foresight/core';

/**
 * Prophet's Stan model (the wasmstan component) runs in a guarded worker thread with a time limit.
 * The component's WASI shim does its I/O through a helper thread it waits on with no timeout;
 * rarely (seen once in ~20 processes) that wait never returns, which would freeze the whole
 * process. Here only the worker can freeze: the call times out, the worker is replaced, and the fit
 * is tried once more. A cancelled run ends the worker the same way.
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
 * One call of the Stan optimiser in the worker, awaited: the event loop stays free, so a cancelled
 * run (`signal`) ends the worker at once. `timeoutMs` bounds the fit; on a timeout the worker is
 * replaced and the call made once more.
 */
export async function optimizeInWorker(
  init: unknown,
  data: string,
  opts: Record<string, unknown>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<StanOutput> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await stan.call({ init, data, opts }, { timeoutMs, ...(signal ? { signal } : {}) })) as StanOutput;
    } catch (e) {
      signal?.throwIfAborted();
      const timedOut = e instanceof AmfError && e.message.includes('did not answer');
      if (!timedOut) throw e;
      if (attempt > 0) throw new StanTimeoutError('while fitting', timeoutMs / 1000);
    }
  }
}
