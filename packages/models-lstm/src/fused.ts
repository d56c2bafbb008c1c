import type { Tf } from './backend.js';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Variable = import('@tensorflow/tfjs-core').Variable;
type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;

/**
 * Training of the sigmoid-gated network as one fused step over typed arrays: the forward pass,
 * backpropagation through time and Adam, on a copy of the layers model's weights that is written
 * back into its variables (so predict, save and load stay TensorFlow.js's).
 *
 * Why not TensorFlow.js ops: the network is tiny (16 units, 24 steps), so a batch is ≈ 6 M
 * multiply-adds but ≈ 1 100 kernels through tfjs, each ≈ 10–30 µs of engine and backend overhead
 * whatever its size (bench/lstm.mjs's profile: most of a fit was slices, copies and kernel dispatch).
 * Here a batch is three loops over the same arithmetic. Tested against tfjs: the forward pass
 * equals the layers model's predict and the gradients equal tfjs's autodiff through it (fused.test.ts).
 */

/** The network's trainable variables, in the layers' own storage. */
export interface NetVariables {
  /** LSTM input kernel [1, 4U], recurrent kernel [U, 4U] and bias [4U]; gates in tfjs's order i, f, c, o. */
  kernel: Variable;
  recurrent: Variable;
  bias: Variable;
  /** Dense layer on [LSTM state, recent values]: kernel [U + R, H], bias [H]. */
  dense: Variable;
  denseBias: Variable;
}

const NAMES = ['kernel', 'recurrent', 'bias', 'dense', 'denseBias'] as const;

/** The same five, as float64 arrays in the variables' row-major layout. */
export type Weights = Record<(typeof NAMES)[number], Float64Array>;

export function netVariables(tf: Tf, net: LayersModel): NetVariables {
  const variable = (t: Tensor): Variable => {
    if (!(t instanceof tf.Variable)) throw new Error('an LSTM weight is not a tf.Variable');
    // instanceof narrows to Variable<any>: tfjs's Variable class is generic in its rank.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    return t;
  };
  const lstm = net.layers.find((l) => l.getClassName() === 'LSTM');
  const dense = net.layers.find((l) => l.getClassName() === 'Dense');
  if (!lstm || !dense) throw new Error('LSTM network without its LSTM or Dense layer');
  const [kernel, recurrent, bias] = lstm.trainableWeights.map((w) => variable(w.read()));
  const [denseKernel, denseBias] = dense.trainableWeights.map((w) => variable(w.read()));
  return { kernel: kernel!, recurrent: recurrent!, bias: bias!, dense: denseKernel!, denseBias: denseBias! };
}

export function readWeights(v: NetVariables): Weights {
  const w = {} as Weights;
  for (const k of NAMES) w[k] = Float64Array.from(v[k].dataSync());
  return w;
}

export function writeWeights(tf: Tf, v: NetVariables, w: Weights): void {
  for (const k of NAMES) v[k].assign(tf.tensor(Float32Array.from(w[k]), v[k].shape));
}

export function copyWeights(w: Weights): Weights {
  const c = {} as Weights;
  for (const k of NAMES) c[k] = w[k].slice();
  return c;
}

/** a += b, weight by weight. */
export function addWeights(a: Weights, b: Weights): void {
  for (const k of NAMES) {
    const [x, y] = [a[k], b[k]];
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
  }
}

/** A batch of n windows: sequence inputs [n, steps], recent values [n, recent], targets [n, horizon]. */
export interface Batch {
  n: number;
  seq: Float32Array;
  rec: Float32Array;
  y: Float32Array;
}

export interface Dims {
  units: number;
  steps: number;
  recent: number;
  horizon: number;
}

/** Activations of one forward pass, kept for the backward pass; flat, step-major: [t][window][j]. */
interface Tape {
  /** Gate activations i, f, g, o per step: [steps][n][4U]. */
  gates: Float64Array;
  /** Cell states c_0..c_steps and hidden states h_0..h_steps: [steps + 1][n][U]. */
  c: Float64Array;
  h: Float64Array;
  /** tanh(c_t), t = 1..steps: [steps][n][U]. */
  tc: Float64Array;
  out: Float64Array;
}

/** Σ a[aAt + k]·b[bAt + k], k < n, four at a time. */
function dot(a: ArrayLike<number>, aAt: number, b: ArrayLike<number>, bAt: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[aAt + k]! * b[bAt + k]!;
    s1 += a[aAt + k + 1]! * b[bAt + k + 1]!;
    s2 += a[aAt + k + 2]! * b[bAt + k + 2]!;
    s3 += a[aAt + k + 3]! * b[bAt + k + 3]!;
  }
  for (; k < n; k++) s0 += a[aAt + k]! * b[bAt + k]!;
  return s0 + s1 + s2 + s3;
}

/** y[yAt + k] += a·x[xAt + k], k < n, four at a time. */
function axpy(y: Float64Array, yAt: number, a: number, x: ArrayLike<number>, xAt: number, n: number): void {
  let k = 0;
  for (; k + 3 < n; k += 4) {
    y[yAt + k] = y[yAt + k]! + a * x[xAt + k]!;
    y[yAt + k + 1] = y[yAt + k + 1]! + a * x[xAt + k + 1]!;
    y[yAt + k + 2] = y[yAt + k + 2]! + a * x[xAt + k + 2]!;
    y[yAt + k + 3] = y[yAt + k + 3]! + a * x[xAt + k + 3]!;
  }
  for (; k < n; k++) y[yAt + k] = y[yAt + k]! + a * x[xAt + k]!;
}

/**
 * The network's output for a batch (what the layers model predicts), with its activations; with
 * `keep` false (evaluation) only the latest step's, so the working set stays in cache.
 */
export function forward(w: Weights, d: Dims, b: Batch, keep = true): Tape {
  const { units: U, steps: S, horizon: H } = d;
  const G = 4 * U;
  const n = b.n;
  const [stepSlots, stateSlots] = keep ? [S, S + 1] : [1, 2];
  const tape: Tape = {
    gates: new Float64Array(stepSlots * n * G),
    c: new Float64Array(stateSlots * n * U),
    h: new Float64Array(stateSlots * n * U),
    tc: new Float64Array(stepSlots * n * U),
    out: new Float64Array(n * H),
  };
  const { gates, c, h, tc } = tape;
  const { kernel, bias, recurrent } = w;
  const seq = b.seq;
  // The recurrent kernel transposed ([4U][U]): each pre-activation is one contiguous dot product.
  const rt = new Float64Array(G * U);
  for (let k = 0; k < U; k++) for (let j = 0; j < G; j++) rt[j * U + k] = recurrent[k * G + j]!;
  const z = new Float64Array(G);
  const hp = new Float64Array(U);
  for (let t = 0; t < S; t++) {
    const [step, from, to] = keep ? [t, t, t + 1] : [0, t & 1, (t + 1) & 1];
    for (let s = 0; s < n; s++) {
      const x = seq[s * S + t]!;
      const prev = (from * n + s) * U;
      const next = (to * n + s) * U;
      const a = (step * n + s) * G;
      const at = (step * n + s) * U;
      for (let k = 0; k < U; k++) hp[k] = h[prev + k]!;
      for (let j = 0; j < G; j++) z[j] = x * kernel[j]! + bias[j]! + dot(hp, 0, rt, j * U, U);
      for (let j = 0; j < U; j++) {
        // σ(x) = 1 / (1 + e^−x), tanh(x) = 1 − 2 / (e^2x + 1): one exp each, saturating cleanly.
        const i = 1 / (1 + Math.exp(-z[j]!));
        const f = 1 / (1 + Math.exp(-z[U + j]!));
        const g = 1 - 2 / (Math.exp(2 * z[2 * U + j]!) + 1);
        const o = 1 / (1 + Math.exp(-z[3 * U + j]!));
        gates[a + j] = i;
        gates[a + U + j] = f;
        gates[a + 2 * U + j] = g;
        gates[a + 3 * U + j] = o;
        const cj = f * c[prev + j]! + i * g;
        const tcj = 1 - 2 / (Math.exp(2 * cj) + 1);
        c[next + j] = cj;
        tc[at + j] = tcj;
        h[next + j] = o * tcj;
      }
    }
  }
  const last = keep ? S : S & 1;
  denseForward(w, d, b, h.subarray(last * n * U, (last + 1) * n * U), tape.out);
  return tape;
}

/** out = [state, recent] · dense + denseBias, per window (rows of dense: U state weights, then R recent). */
function denseForward(w: Weights, d: Dims, b: Batch, state: Float64Array, out: Float64Array): void {
  const { units: U, recent: R, horizon: H } = d;
  const { dense, denseBias } = w;
  for (let s = 0; s < b.n; s++) {
    out.set(denseBias, s * H);
    for (let k = 0; k < U; k++) axpy(out, s * H, state[s * U + k]!, dense, k * H, H);
    for (let r = 0; r < R; r++) axpy(out, s * H, b.rec[s * R + r]!, dense, (U + r) * H, H);
  }
}

/** Σ (out − y)² over all outputs (over their count: tf.losses.meanSquaredError and the layers loss). */
export function squaredError(out: Float64Array, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += (out[i]! - y[i]!) ** 2;
  return sum;
}

export function zeros(w: Weights): Weights {
  const g = {} as Weights;
  for (const k of NAMES) g[k] = new Float64Array(w[k].length);
  return g;
}

/**
 * The squared-error sum of a batch and the gradients of that sum over `denominator` (by default the
 * batch's outputs: the mean squared error's gradients). Parts of a batch given the whole batch's
 * denominator have gradients that add up to the whole batch's.
 */
export function gradients(
  w: Weights,
  d: Dims,
  b: Batch,
  denominator = b.n * d.horizon,
): { sse: number; grads: Weights } {
  const tape = forward(w, d, b);
  const g = zeros(w);
  const { out } = tape;
  const dOut = new Float64Array(out.length);
  for (let i = 0; i < dOut.length; i++) dOut[i] = (2 * (out[i]! - b.y[i]!)) / denominator;
  const dh = denseBackward(w, d, b, tape.h.subarray(d.steps * b.n * d.units), dOut, g);
  backThroughTime(w, d, b, tape, dh, g);
  return { sse: squaredError(out, b.y), grads: g };
}

/** Accumulates the dense layer's gradients into g; returns dL/d(state). */
function denseBackward(w: Weights, d: Dims, b: Batch, state: Float64Array, dOut: Float64Array, g: Weights) {
  const { units: U, recent: R, horizon: H } = d;
  const dh = new Float64Array(b.n * U);
  for (let s = 0; s < b.n; s++) {
    axpy(g.denseBias, 0, 1, dOut, s * H, H);
    for (let k = 0; k < U; k++) {
      axpy(g.dense, k * H, state[s * U + k]!, dOut, s * H, H);
      dh[s * U + k] = dot(dOut, s * H, w.dense, k * H, H);
    }
    for (let r = 0; r < R; r++) axpy(g.dense, (U + r) * H, b.rec[s * R + r]!, dOut, s * H, H);
  }
  return dh;
}

/** Backpropagation from dL/dh_steps through the recurrence, accumulating into g's LSTM weights. */
function backThroughTime(w: Weights, d: Dims, b: Batch, tape: Tape, dhLast: Float64Array, g: Weights): void {
  const { units: U, steps: S } = d;
  const G = 4 * U;
  const n = b.n;
  const { gates, c, h, tc } = tape;
  const { kernel: gK, bias: gB, recurrent: gR } = g;
  const recurrent = w.recurrent;
  const seq = b.seq;
  let dh: Float64Array = dhLast;
  let dhPrev: Float64Array = new Float64Array(n * U);
  const dc = new Float64Array(n * U);
  const dz = new Float64Array(G);
  for (let t = S - 1; t >= 0; t--) {
    for (let s = 0; s < n; s++) {
      const a = (t * n + s) * G;
      const prev = (t * n + s) * U;
      for (let j = 0; j < U; j++) {
        const i = gates[a + j]!;
        const f = gates[a + U + j]!;
        const gg = gates[a + 2 * U + j]!;
        const o = gates[a + 3 * U + j]!;
        const tcj = tc[prev + j]!;
        const dhj = dh[s * U + j]!;
        const dcj = dc[s * U + j]! + dhj * o * (1 - tcj * tcj);
        dz[j] = dcj * gg * i * (1 - i);
        dz[U + j] = dcj * c[prev + j]! * f * (1 - f);
        dz[2 * U + j] = dcj * i * (1 - gg * gg);
        dz[3 * U + j] = dhj * tcj * o * (1 - o);
        dc[s * U + j] = dcj * f;
      }
      const x = seq[s * S + t]!;
      for (let j = 0; j < G; j++) {
        gK[j] = gK[j]! + x * dz[j]!;
        gB[j] = gB[j]! + dz[j]!;
      }
      for (let k = 0; k < U; k++) {
        axpy(gR, k * G, h[prev + k]!, dz, 0, G);
        dhPrev[s * U + k] = dot(dz, 0, recurrent, k * G, G);
      }
    }
    [dh, dhPrev] = [dhPrev, dh];
  }
}

/** Adam as tf.train.adam computes it (β1 0.9, β2 0.999, ε 1e-7: tfjs's float32 epsilon). */
export class Adam {
  private readonly m: Weights;
  private readonly v: Weights;
  private acc1 = 0.9;
  private acc2 = 0.999;

  constructor(
    w: Weights,
    private readonly learningRate: number,
  ) {
    this.m = zeros(w);
    this.v = zeros(w);
  }

  step(w: Weights, grads: Weights): void {
    const lr = this.learningRate;
    const [c1, c2] = [1 - this.acc1, 1 - this.acc2];
    for (const k of NAMES) {
      const [p, gr, m, v] = [w[k], grads[k], this.m[k], this.v[k]];
      for (let i = 0; i < p.length; i++) {
        m[i] = 0.9 * m[i]! + 0.1 * gr[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * gr[i]! ** 2;
        p[i] = p[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-7);
      }
    }
    this.acc1 *= 0.9;
    this.acc2 *= 0.999;
  }
}
