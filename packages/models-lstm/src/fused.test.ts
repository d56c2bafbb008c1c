import { describe, expect, it } from 'vitest';
import { seededRandom } from '@amf-foresight/core';
import { tensorflow } from './backend.js';
import { Adam, forward, gradients, netVariables, readWeights, writeWeights } from './fused.js';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
const dims = { units: 16, steps: 24, recent: 6, horizon: 12 };

/** The network as lstm.ts builds it (sigmoid gates, nonzero biases), on random inputs. */
async function setup() {
  const { tf } = await tensorflow('wasm');
  const seqIn = tf.input({ shape: [dims.steps, 1] });
  const recIn = tf.input({ shape: [dims.recent] });
  const state = tf.layers
    .lstm({
      units: dims.units,
      recurrentActivation: 'sigmoid',
      biasInitializer: 'glorotUniform',
      recurrentInitializer: 'glorotUniform',
    })
    .apply(seqIn) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const out = tf.layers
    .dense({ units: dims.horizon, biasInitializer: 'glorotUniform' })
    .apply(tf.layers.concatenate().apply([state, recIn]));
  const net = tf.model({ inputs: [seqIn, recIn], outputs: out as import('@tensorflow/tfjs-layers').SymbolicTensor });
  const rand = seededRandom(7);
  const values = (n: number) => Float32Array.from({ length: n }, () => 2 * rand() - 1);
  const n = 40;
  const batch = { n, seq: values(n * dims.steps), rec: values(n * dims.recent), y: values(n * dims.horizon) };
  const seq = tf.tensor3d(batch.seq, [n, dims.steps, 1]);
  const rec = tf.tensor2d(batch.rec, [n, dims.recent]);
  const y = tf.tensor2d(batch.y, [n, dims.horizon]);
  return { tf, net, batch, seq, rec, y };
}

describe('the fused training step', () => {
  it('computes what the layers model predicts', async () => {
    const { tf, net, batch, seq, rec } = await setup();
    const a = (net.predict([seq, rec]) as Tensor).dataSync();
    const b = forward(readWeights(netVariables(tf, net)), dims, batch).out;
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
  });

  it("gives tfjs's loss and autodiff gradients through the layers model, for every weight", async () => {
    const { tf, net, batch, seq, rec, y } = await setup();
    const v = netVariables(tf, net);
    const ours = gradients(readWeights(v), dims, batch);
    const list = [v.kernel, v.recurrent, v.bias, v.dense, v.denseBias];
    const theirs = tf.variableGrads(
      () =>
        tf.losses.meanSquaredError<Tensor, import('@tensorflow/tfjs-core').Scalar>(
          y,
          net.apply([seq, rec], { training: true }) as Tensor,
        ),
      list,
    );
    const loss = ours.sse / batch.y.length;
    expect(Math.abs(loss - theirs.value.dataSync()[0]!)).toBeLessThan(1e-5 * loss);
    const byVariable = {
      kernel: v.kernel,
      recurrent: v.recurrent,
      bias: v.bias,
      dense: v.dense,
      denseBias: v.denseBias,
    };
    for (const [k, variable] of Object.entries(byVariable)) {
      const a = ours.grads[k as keyof typeof byVariable];
      const b = theirs.grads[variable.name]!.dataSync();
      expect(a.length).toBe(b.length);
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * scale);
    }
  });

  it("takes tf.train.adam's steps and writes them back into the network", async () => {
    const { tf, net, batch, seq, rec, y } = await setup();
    const v = netVariables(tf, net);
    const w = readWeights(v);
    const adam = new Adam(w, 0.01);
    for (let s = 0; s < 3; s++) adam.step(w, gradients(w, dims, batch).grads);
    const optimizer = tf.train.adam(0.01);
    const list = [v.kernel, v.recurrent, v.bias, v.dense, v.denseBias];
    const loss = () =>
      tf.losses.meanSquaredError<Tensor, import('@tensorflow/tfjs-core').Scalar>(
        y,
        net.apply([seq, rec], { training: true }) as Tensor,
      );
    for (let s = 0; s < 3; s++) optimizer.minimize(loss, false, list);
    const stepped = readWeights(v);
    for (const k of ['kernel', 'recurrent', 'bias', 'dense', 'denseBias'] as const)
      for (let i = 0; i < w[k].length; i++) expect(Math.abs(w[k][i]! - stepped[k][i]!)).toBeLessThan(1e-5);
    writeWeights(tf, v, w);
    const back = readWeights(v);
    for (let i = 0; i < w.recurrent.length; i++) expect(back.recurrent[i]).toBe(Math.fround(w.recurrent[i]!));
  });
});

describe('the fused step in parts', () => {
  it('parts of a batch, given its denominator, add up to its gradients; evaluation keeps no tape', async () => {
    const { tf, net, batch } = await setup();
    const w = readWeights(netVariables(tf, net));
    const whole = gradients(w, dims, batch);
    const part = (from: number, to: number) => ({
      n: to - from,
      seq: batch.seq.slice(from * dims.steps, to * dims.steps),
      rec: batch.rec.slice(from * dims.recent, to * dims.recent),
      y: batch.y.slice(from * dims.horizon, to * dims.horizon),
    });
    const denominator = batch.n * dims.horizon;
    const [a, b] = [gradients(w, dims, part(0, 15), denominator), gradients(w, dims, part(15, 40), denominator)];
    expect(a.sse + b.sse).toBeCloseTo(whole.sse, 10);
    for (const k of ['kernel', 'recurrent', 'bias', 'dense', 'denseBias'] as const)
      for (let i = 0; i < whole.grads[k].length; i++)
        expect(a.grads[k][i]! + b.grads[k][i]!).toBeCloseTo(whole.grads[k][i]!, 12);
    const [kept, evaluated] = [forward(w, dims, batch), forward(w, dims, batch, false)];
    expect(Array.from(evaluated.out)).toEqual(Array.from(kept.out));
    expect(evaluated.gates.length).toBe(batch.n * 4 * dims.units);
  });
});
