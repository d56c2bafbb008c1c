import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { addWeights } from './fused.js';
import type { Batch, Dims, Weights } from './fused.js';
import { solvePart } from './fused-worker.js';
import type { PartRequest, PartResult } from './fused-worker.js';

/**
 * Batches are cut into this many parts whatever the number of threads, and the parts' results are
 * added in part order: a fit gives the same weights on 1 thread or 4.
 */
const PARTS = 4;

/**
 * The fused step over several threads: this one and up to three helpers (worker_threads running
 * dist/fused-worker.js). Each batch's windows are cut into PARTS parts dealt round-robin; this
 * thread solves its own while the helpers solve theirs. Where the helper file is not beside this
 * module (running from the TypeScript sources, or bundled into another file) every part is solved here.
 */
export class Parallel {
  private constructor(private readonly helpers: Worker[]) {}

  static start(threads: number): Parallel {
    const file = helperFile();
    const count = file ? Math.max(0, Math.min(PARTS, Math.floor(threads)) - 1) : 0;
    return new Parallel(Array.from({ length: count }, () => new Worker(file!)));
  }

  /** Threads the parts are solved on. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** The squared-error sum of the batch and the gradients of its mean squared error. */
  async gradients(w: Weights, dims: Dims, b: Batch): Promise<{ sse: number; grads: Weights }> {
    const results = await this.solve({ kind: 'gradients', w, dims, parts: [], denominator: b.n * dims.horizon }, b);
    const grads = results[0]!.grads!;
    for (const r of results.slice(1)) addWeights(grads, r.grads!);
    return { sse: results.reduce((a, r) => a + r.sse, 0), grads };
  }

  /** The squared-error sum of the network's outputs on the batch. */
  async squaredError(w: Weights, dims: Dims, b: Batch): Promise<number> {
    const results = await this.solve({ kind: 'squaredError', w, dims, parts: [], denominator: 1 }, b);
    return results.reduce((a, r) => a + r.sse, 0);
  }

  close(): Promise<number[]> {
    return Promise.all(this.helpers.map((h) => h.terminate()));
  }

  private async solve(request: PartRequest, b: Batch): Promise<PartResult[]> {
    const parts = cut(b, PARTS);
    const threads = this.threads;
    const mine = parts.filter((_, p) => p % threads === 0);
    const pending = this.helpers.map((helper, k) =>
      ask(helper, { ...request, parts: parts.filter((_, p) => p % threads === k + 1) }),
    );
    const own = mine.map((part) => solvePart(request, part));
    const theirs = await Promise.all(pending);
    return parts.map((_, p) => {
      const thread = p % threads;
      const index = Math.floor(p / threads);
      return thread === 0 ? own[index]! : theirs[thread - 1]![index]!;
    });
  }
}

function ask(helper: Worker, request: PartRequest): Promise<PartResult[]> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      helper.off('message', onMessage);
      reject(e);
    };
    const onMessage = (results: PartResult[]) => {
      helper.off('error', onError);
      resolve(results);
    };
    helper.once('message', onMessage);
    helper.once('error', onError);
    helper.postMessage(request);
  });
}

/** The batch's windows in `count` contiguous parts (some empty when it has fewer windows). */
function cut(b: Batch, count: number): Batch[] {
  const per = Math.ceil(b.n / count);
  const { steps, recent, horizon } = {
    steps: b.seq.length / b.n,
    recent: b.rec.length / b.n,
    horizon: b.y.length / b.n,
  };
  return Array.from({ length: count }, (_, p) => {
    const [from, to] = [Math.min(b.n, p * per), Math.min(b.n, (p + 1) * per)];
    return {
      n: to - from,
      seq: b.seq.slice(from * steps, to * steps),
      rec: b.rec.slice(from * recent, to * recent),
      y: b.y.slice(from * horizon, to * horizon),
    };
  });
}

/** dist/fused-worker.js (or .cjs) beside this module's file, when there is one. */
function helperFile(): string | undefined {
  const here = import.meta.url;
  const ext = here.endsWith('.cjs') ? '.cjs' : here.endsWith('.js') ? '.js' : undefined;
  if (!ext) return undefined;
  const file = fileURLToPath(new URL(`./fused-worker${ext}`, here));
  return existsSync(file) ? file : undefined;
}
