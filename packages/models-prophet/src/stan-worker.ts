import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AmfError } from '@amf-foresight/core';

/**
 * Prophet's Stan model (the wasmstan component) runs in a worker thread, called synchronously
 * (augurs calls its optimiser synchronously) with a time limit. The component's WASI shim does its
 * I/O through a helper thread it waits on with no timeout; rarely (seen once in ~20 processes) that
 * wait never returns, which would freeze the whole process. Here only the worker can freeze: the
 * call times out, the worker is replaced, and the fit is tried once more.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const port = workerData.port;
const flag = new Int32Array(workerData.flag);
function reply(msg) {
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
import(workerData.url).then((m) => {
  port.on('message', ({ init, data, opts, flag: f }) => {
    const call = new Int32Array(f);
    let msg;
    try {
      const out = m.optimizer.optimize(init, data, opts);
      msg = { params: out.params, logs: out.logs };
    } catch (e) {
      msg = { error: String((e && e.message) || e) };
    }
    port.postMessage(msg);
    Atomics.store(call, 0, 1);
    Atomics.notify(call, 0);
  });
  reply({ ready: true });
}, (e) => reply({ error: 'cannot load the Stan model: ' + String((e && e.message) || e) }));
`;

export interface StanOutput {
  params: { k: number; m: number; delta: Float64Array; beta: Float64Array; sigmaObs: number };
  logs: Record<string, string>;
}

interface Running {
  worker: Worker;
  port: MessagePort;
}

let running: Running | undefined;
let restarts = 0;

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

/** Waits for the worker's answer on `port`, at most `ms`; undefined on timeout. */
function await_(flag: Int32Array, port: MessagePort, ms: number): Record<string, unknown> | undefined {
  if (Atomics.wait(flag, 0, 0, ms) === 'timed-out') return undefined;
  return receiveMessageOnPort(port)?.message as Record<string, unknown> | undefined;
}

function start(loadMs: number): Running {
  const require = createRequire(import.meta.url);
  const url = pathToFileURL(require.resolve('@bsull/augurs-prophet-wasmstan')).href;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url, port: port2, flag: flag.buffer },
    transferList: [port2],
  });
  worker.unref();
  const hello = await_(flag, port1, loadMs);
  if (!hello || hello['error'] !== undefined) {
    void worker.terminate();
    if (!hello) throw new StanTimeoutError('while loading', loadMs / 1000);
    throw new AmfError('PROPHET_STAN_LOAD', String(hello['error']));
  }
  return { worker, port: port1 };
}

function stop(): void {
  const r = running;
  running = undefined;
  if (r) {
    r.port.close();
    void r.worker.terminate();
  }
}

/** How many times the Stan worker was replaced after not answering (for tests and logs). */
export function stanRestarts(): number {
  return restarts;
}

export function stopStanWorker(): void {
  stop();
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
    running ??= start(30_000);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    running.port.postMessage({ init, data, opts, flag: flag.buffer });
    const msg = await_(flag, running.port, timeoutMs);
    if (msg === undefined) {
      stop();
      restarts++;
      if (attempt === 0) continue;
      throw new StanTimeoutError('while fitting', timeoutMs / 1000);
    }
    if (msg['error'] !== undefined)
      throw new Error(typeof msg['error'] === 'string' ? msg['error'] : JSON.stringify(msg['error']));
    return msg as unknown as StanOutput;
  }
}
