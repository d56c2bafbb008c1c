// A helper thread of the fused training step (parallel.ts): squared errors and gradients of batch parts.
import { parentPort } from 'node:worker_threads';
import { forward, gradients, squaredError } from './fused.js';
import type { Batch, Dims, Weights } from './fused.js';

export interface PartRequest {
  kind: 'gradients' | 'squaredError';
  w: Weights;
  dims: Dims;
  parts: Batch[];
  /** The whole batch's output count (gradients are of the whole batch's mean). */
  denominator: number;
}

export type PartResult = { sse: number; grads?: Weights };

export function solvePart(r: PartRequest, b: Batch): PartResult {
  if (r.kind === 'squaredError') return { sse: squaredError(forward(r.w, r.dims, b, false).out, b.y) };
  return gradients(r.w, r.dims, b, r.denominator);
}

parentPort?.on('message', (r: PartRequest) => {
  parentPort!.postMessage(r.parts.map((b) => solvePart(r, b)));
});
