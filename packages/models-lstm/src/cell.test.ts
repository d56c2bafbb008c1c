import { describe, expect, it } from 'vitest';
import { seededRandom } from '@amf-foresight/core';
import { tensorflow } from './backend.js';
import { netVariables, trainingForward } from './cell.js';

/** The network as lstm.ts builds it (sigmoid gates), on random inputs. */
async function setup() {
  const { tf } = await tensorflow('wasm');
  const seqIn = tf.input({ shape: [24, 1] });
  const recIn = tf.input({ shape: [6] });
  const state = tf.layers
    .lstm({
      units: 16,
      recurrentActivation: 'sigmoid',
      biasInitializer: 'glorotUniform',
      recurrentInitializer: 'glorotUniform',
    })
    .apply(seqIn) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const out = tf.layers.dense({ units: 12 }).apply(tf.layers.concatenate().apply([state, recIn]));
  const net = tf.model({ inputs: [seqIn, recIn], outputs: out as import('@tensorflow/tfjs-layers').SymbolicTensor });
  const rand = seededRandom(7);
  const values = (n: number) => Float32Array.from({ length: n }, () => 2 * rand() - 1);
  const seq = tf.tensor3d(values(40 * 24), [40, 24, 1]);
  const rec = tf.tensor2d(values(40 * 6), [40, 6]);
  const y = tf.tensor2d(values(40 * 12), [40, 12]);
  return { tf, net, seq, rec, y };
}

describe('the training forward pass with its hand-written backward pass', () => {
  it('computes what the layers model predicts', async () => {
    const { tf, net, seq, rec } = await setup();
    const { forward, dispose } = trainingForward(tf, netVariables(tf, net));
    const a = (net.predict([seq, rec]) as import('@tensorflow/tfjs-core').Tensor).dataSync();
    const b = forward(seq, rec).dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    dispose();
  });

  it("gives tfjs's autodiff gradients through the layers model, for every variable", async () => {
    const { tf, net, seq, rec, y } = await setup();
    const v = netVariables(tf, net);
    const { forward, dispose } = trainingForward(tf, v);
    const list = [v.kernel, v.recurrent, v.bias, v.dense, v.denseBias];
    const loss = (f: () => import('@tensorflow/tfjs-core').Tensor) => () =>
      tf.losses.meanSquaredError<import('@tensorflow/tfjs-core').Tensor, import('@tensorflow/tfjs-core').Scalar>(
        y,
        f(),
      );
    const ours = tf.variableGrads(
      loss(() => forward(seq, rec)),
      list,
    ).grads;
    const theirs = tf.variableGrads(
      loss(() => net.apply([seq, rec], { training: true }) as import('@tensorflow/tfjs-core').Tensor),
      list,
    ).grads;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const k of Object.keys(theirs)) {
      const [a, b] = [ours[k]!.dataSync(), theirs[k]!.dataSync()];
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * scale);
    }
    dispose();
  });
});
