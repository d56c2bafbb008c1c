import type { Tf } from './backend.js';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Variable = import('@tensorflow/tfjs-core').Variable;
type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;

/** The network's trainable variables, in the layers' own storage (training them trains the model). */
export interface NetVariables {
  /** LSTM input kernel [1, 4U], recurrent kernel [U, 4U] and bias [4U]; gates in tfjs's order i, f, c, o. */
  kernel: Variable;
  recurrent: Variable;
  bias: Variable;
  /** Dense layer on [LSTM state, recent values]: kernel [U + R, H], bias [H]. */
  dense: Variable;
  denseBias: Variable;
}

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

/**
 * The network's forward pass for training: the same function as the layers model with sigmoid gates
 * (tested equal to its predict), with a hand-written backward pass through time. tfjs-layers' cell
 * and tfjs's autodiff issue ≈ 100 kernels per time step, each ≈ 10 µs of overhead whatever its
 * size, which is what a fit of this small network spends its time on; here the input projection is
 * one operation for all steps, the gates two, and the weight gradients one matMul each for all steps.
 */
export function trainingForward(
  tf: Tf,
  v: NetVariables,
): { forward: (seq: Tensor, recent: Tensor) => Tensor; dispose: () => void } {
  const units = v.recurrent.shape[0];
  // Activation masks over the 4U pre-activations: tanh for the cell candidate (third block), sigmoid else.
  const gMask = tf.keep(tf.concat([tf.zeros([2 * units]), tf.ones([units]), tf.zeros([units])]));
  const sMask = tf.keep(tf.sub(1, gMask));
  const step = (seq: Tensor, kernel: Tensor, recurrent: Tensor, bias: Tensor, save: SaveFn) => {
    const [n, steps] = seq.shape as [number, number];
    const x = tf.reshape(tf.transpose(seq), [steps * n, 1]);
    const xw = tf.split(tf.add(tf.matMul(x, kernel), bias), steps, 0);
    let h = tf.zeros([n, units]);
    let c = tf.zeros([n, units]);
    const kept: Tensor[] = [x, h, c];
    for (let t = 0; t < steps; t++) {
      const z = tf.add(xw[t]!, tf.matMul(h, recurrent));
      const a = tf.add(tf.mul(tf.sigmoid(z), sMask), tf.mul(tf.tanh(z), gMask));
      const [i, f, g, o] = tf.split(a, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.tanh(c);
      h = tf.mul(o, tc);
      kept.push(a, tc, h, c);
    }
    save(kept);
    return {
      value: h,
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(tf, dy, saved, steps, recurrent, sMask, gMask),
    };
  };
  // customGrad types its function's inputs as one union array; these are (seq, kernel, recurrent, bias, save).
  const last = tf.customGrad(step as unknown as Parameters<Tf['customGrad']>[0]);
  return {
    forward: (seq, recent) => {
      const state = last(tf.squeeze(seq, [2]), v.kernel, v.recurrent, v.bias);
      return tf.add(tf.matMul(tf.concat([state, recent], 1), v.dense), v.denseBias);
    },
    dispose: () => {
      gMask.dispose();
      sMask.dispose();
    },
  };
}

type SaveFn = (tensors: Tensor[]) => void;

/** Backward pass through time; `saved` is [x, h0, c0, then per step: activations, tanh(c), h, c]. */
function backward(
  tf: Tf,
  dy: Tensor,
  saved: Tensor[],
  steps: number,
  recurrent: Tensor,
  sMask: Tensor,
  gMask: Tensor,
): Tensor[] {
  const at = (t: number, k: number) => saved[3 + 4 * t + k]!;
  const hPrev = (t: number) => (t === 0 ? saved[1]! : at(t - 1, 2));
  const cPrev = (t: number) => (t === 0 ? saved[2]! : at(t - 1, 3));
  let dh = dy;
  let dc = tf.zerosLike(dy);
  const dz: Tensor[] = new Array<Tensor>(steps);
  for (let t = steps - 1; t >= 0; t--) {
    const a = at(t, 0);
    const tc = at(t, 1);
    const [i, f, g, o] = tf.split(a, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    dc = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))));
    const dGates = tf.concat([tf.mul(dc, g), tf.mul(dc, cPrev(t)), tf.mul(dc, i), tf.mul(dh, tc)], 1);
    // σ' = σ(1 − σ) on the gates, tanh' = 1 − tanh² on the candidate.
    const slope = tf.add(tf.mul(tf.mul(a, tf.sub(1, a)), sMask), tf.mul(tf.sub(1, tf.square(a)), gMask));
    dz[t] = tf.mul(dGates, slope);
    dc = tf.mul(dc, f);
    dh = tf.matMul(dz[t]!, recurrent, false, true);
  }
  const dZ = tf.concat(dz, 0);
  const hs = tf.concat(
    Array.from({ length: steps }, (_, t) => hPrev(t)),
    0,
  );
  const x = saved[0]!;
  return [
    tf.zeros([x.shape[0] / steps, steps]),
    tf.matMul(x, dZ, true, false),
    tf.matMul(hs, dZ, true, false),
    tf.sum(dZ, 0),
  ];
}
