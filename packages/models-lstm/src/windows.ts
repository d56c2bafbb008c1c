import type { Tf } from './backend.js';
import type { Batch } from './fused.js';

/**
 * Input layout: the window averaged into `slices` equal parts (the oldest remainder dropped), and
 * its last `recent` raw values.
 */
export interface Layout {
  window: number;
  pool: number;
  slices: number;
  recent: number;
}

export function layout(window: number): Layout {
  const pool = Math.max(1, Math.floor(window / 24));
  return { window, pool, slices: Math.floor(window / pool), recent: Math.min(window, Math.max(pool, 6)) };
}

/**
 * Network inputs and targets (changes from the window's last value) for the windows ending at `ends`
 * (exclusive); targets past the series' end are 0 (a forecast's input has none).
 */
export function windowBatch(scaled: number[], ends: number[], l: Layout, horizon: number): Batch {
  const seq = new Float32Array(ends.length * l.slices);
  const rec = new Float32Array(ends.length * l.recent);
  const y = new Float32Array(ends.length * horizon);
  ends.forEach((e, k) => {
    const start = e - l.slices * l.pool;
    const last = scaled[e - 1]!;
    for (let s = 0; s < l.slices; s++) {
      let sum = 0;
      for (let i = 0; i < l.pool; i++) sum += scaled[start + s * l.pool + i]!;
      seq[k * l.slices + s] = sum / l.pool - last;
    }
    for (let i = 0; i < l.recent; i++) rec[k * l.recent + i] = scaled[e - l.recent + i]! - last;
    for (let j = 0; j < horizon && e + j < scaled.length; j++) y[k * horizon + j] = scaled[e + j]! - last;
  });
  return { n: ends.length, seq, rec, y };
}

/** The same windows as the layers model's tensors: [[sequence, recent], targets]. */
export function tensors(
  tf: Tf,
  scaled: number[],
  ends: number[],
  l: Layout,
  horizon: number,
): [import('@tensorflow/tfjs-core').Tensor[], import('@tensorflow/tfjs-core').Tensor2D] {
  const b = windowBatch(scaled, ends, l, horizon);
  return [
    [tf.tensor3d(b.seq, [b.n, l.slices, 1]), tf.tensor2d(b.rec, [b.n, l.recent])],
    tf.tensor2d(b.y, [b.n, horizon]),
  ];
}
