import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { AmfError } from './errors.js';

/**
 * Runs before the user's source in the worker: `serve(handler)` answers jobs on two channels,
 * asynchronous ones on parentPort (by id) and synchronous ones on a MessagePort, where the caller
 * blocks on a shared flag. `ready` / `failed` report the end of loading the same way.
 */
const PRELUDE = `
const { parentPort, workerData } = require('node:worker_threads');
const syncPort = workerData.syncPort;
const readyFlag = new Int32Array(workerData.readyFlag);
const message = (e) => String((e && e.message) || e);
function signal(flag, value) {
  Atomics.store(flag, 0, value);
  Atomics.notify(flag, 0);
}
function failed(e) {
  syncPort.postMessage({ error: message(e) });
  signal(readyFlag, 2);
}
function serve(handler) {
  parentPort.on('message', async (job) => {
    try {
      parentPort.postMessage({ id: job.id, result: await handler(job.msg) });
    } catch (e) {
      parentPort.postMessage({ id: job.id, error: message(e) });
    }
  });
  syncPort.on('message', async (job) => {
    let out;
    try {
      out = { result: await handler(job.msg) };
    } catch (e) {
      out = { error: message(e) };
    }
    syncPort.postMessage(out);
    signal(new Int32Array(job.flag), 1);
  });
  signal(readyFlag, 1);
}
`;

export interface GuardedWorkerOptions {
  /** Plain JavaScript (CommonJS) run in the worker; it calls `serve(handler)` once ready, or `failed(error)`. */
  source: string;
  /** Data for the worker (`workerData.data`), computed at each start. */
  data?: () => Record<string, unknown>;
  /** A job that throws leaves the worker suspect (a crashed WebAssembly module): replace it. */
  restartOnError?: boolean;
  /** Error codes: a job that threw, and a worker that crashed or was replaced under other jobs. */
  codes: { failed: string; crashed: string };
  /** Names the worker in messages, e.g. "the arima worker". */
  what: string;
  /** How to fix a crash, in one sentence. */
  hint?: string;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Running {
  worker: Worker;
  syncPort: MessagePort;
  readyFlag: Int32Array;
  pending: Map<number, Pending>;
}

/** What `callSync` returns when the worker did not answer in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * One worker thread for code that may crash, hang or corrupt itself (WebAssembly modules): a crash
 * takes down only the worker, whose next job starts a fresh one; a synchronous call has a time
 * limit, after which the caller may `restart()` it. The process never waits on an idle worker.
 */
export class GuardedWorker {
  private running: Running | undefined;
  private nextId = 1;
  /** How many times the worker was replaced after a crash, an error or a timeout. */
  restarts = 0;

  constructor(private readonly o: GuardedWorkerOptions) {}

  /** Whether a worker is running (a job to an idle GuardedWorker would start one). */
  get alive(): boolean {
    return this.running !== undefined;
  }

  /** Jobs waiting for an answer. */
  get busy(): number {
    return this.running?.pending.size ?? 0;
  }

  private start(): Running {
    const { port1, port2 } = new MessageChannel();
    const readyFlag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(PRELUDE + this.o.source, {
      eval: true,
      workerData: { data: this.o.data?.() ?? {}, syncPort: port2, readyFlag: readyFlag.buffer },
      transferList: [port2],
    });
    const r: Running = { worker, syncPort: port1, readyFlag, pending: new Map() };
    worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => this.answer(r, msg));
    worker.on('error', (e) => this.crashed(r, `${this.o.what} crashed: ${e.message}`));
    worker.on('exit', (code) => this.crashed(r, `${this.o.what} exited with code ${code}`));
    // After the listeners: a 'message' listener refs the worker's port again.
    worker.unref();
    this.running = r;
    return r;
  }

  private answer(r: Running, msg: { id: number; result?: unknown; error?: string }): void {
    const p = r.pending.get(msg.id);
    if (!p) return;
    r.pending.delete(msg.id);
    if (msg.error !== undefined) {
      p.reject(new AmfError(this.o.codes.failed, `${this.o.what}: ${msg.error}`));
      if (this.o.restartOnError) this.replace(r, `${this.o.what} was restarted after a failed job`);
      return;
    }
    p.resolve(msg.result);
    if (r.pending.size === 0) r.worker.unref();
  }

  private crashed(r: Running, message: string): void {
    if (this.running === r) this.running = undefined;
    if (r.pending.size > 0) this.restarts++;
    this.failAll(r, message);
  }

  private failAll(r: Running, message: string): void {
    const hint = this.o.hint ?? 'it was restarted; try again';
    for (const p of r.pending.values()) p.reject(new AmfError(this.o.codes.crashed, message, { hint }));
    r.pending.clear();
  }

  private replace(r: Running, message: string): void {
    if (this.running === r) this.running = undefined;
    this.restarts++;
    this.failAll(r, message);
    r.syncPort.close();
    void r.worker.terminate();
  }

  /**
   * One job, asynchronously. Past `timeoutMs`, or when `signal` aborts, the worker is replaced (a
   * WebAssembly call cannot be interrupted any other way) and the job rejects at once: with
   * `codes.crashed` on a timeout, with the signal's reason on an abort.
   */
  call(msg: unknown, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<unknown> {
    o.signal?.throwIfAborted();
    const r = this.running ?? this.start();
    r.worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const stop = (why: string) => () => {
        if (r.pending.has(id)) this.replace(r, why);
      };
      const timer =
        o.timeoutMs === undefined
          ? undefined
          : setTimeout(stop(`${this.o.what} did not answer within ${o.timeoutMs / 1000} s`), o.timeoutMs);
      const onAbort = stop(`${this.o.what} was stopped: the run was cancelled`);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
      };
      r.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(o.signal?.aborted ? (o.signal.reason as Error) : e);
        },
      });
      r.worker.postMessage({ id, msg });
    });
  }

  /**
   * Waits (blocking) until the worker has loaded, at most `ms`; throws what it failed with, or
   * TIMED_OUT when it did not finish in time.
   */
  readySync(ms: number): typeof TIMED_OUT | undefined {
    const r = this.running ?? this.start();
    if (Atomics.wait(r.readyFlag, 0, 0, ms) === 'timed-out') return TIMED_OUT;
    if (Atomics.load(r.readyFlag, 0) === 2) {
      const m = receiveMessageOnPort(r.syncPort)?.message as { error?: string } | undefined;
      this.replace(r, `${this.o.what} could not load`);
      throw new AmfError(this.o.codes.failed, `${this.o.what} could not load: ${m?.error ?? 'unknown error'}`);
    }
    return undefined;
  }

  /** One job, blocking the calling thread for at most `timeoutMs`; TIMED_OUT when no answer came. */
  callSync(msg: unknown, timeoutMs: number): unknown {
    const r = this.running ?? this.start();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    r.syncPort.postMessage({ msg, flag: flag.buffer });
    if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') return TIMED_OUT;
    const out = receiveMessageOnPort(r.syncPort)?.message as { result?: unknown; error?: string } | undefined;
    if (out?.error !== undefined) {
      if (this.o.restartOnError) this.replace(r, `${this.o.what} was restarted after a failed job`);
      throw new AmfError(this.o.codes.failed, `${this.o.what}: ${out.error}`);
    }
    return out?.result;
  }

  /** Replaces the worker (after a timeout): pending jobs fail, the next job starts a fresh one. */
  restart(): void {
    if (this.running) this.replace(this.running, `${this.o.what} was restarted`);
  }

  /** Ends the worker; a later job starts a new one. */
  async stop(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    if (!r) return;
    this.failAll(r, `${this.o.what} was stopped`);
    r.syncPort.close();
    await r.worker.terminate();
  }
}
