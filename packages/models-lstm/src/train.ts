import { seededRandom } from '@amf-foresight/core';
import type { Tf } from './backend.js';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { Adam, copyWeights, netVariables, readWeights, writeWeights } from './fused.js';
import type { Weights } from './fused.js';
import { Parallel } from './parallel.js';
import { layout, tensors, windowBatch } from './windows.js';

type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;
type Tensor = import('@tensorflow/tfjs-core').Tensor;

export interface TrainData {
  scaled: number[];
  trainEnds: number[];
  valEnds: number[];
  window: number;
  horizon: number;
}

export interface TrainParams {
  units?: number;
  epochs?: number;
  patience?: number;
  batchSize?: number;
  learningRate?: number;
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  seed?: number;
  threads?: number;
  log?: (message: string) => void;
}

/** One way of training the network: epochs over windows, a validation loss, the best weights kept. */
interface Trainer {
  /** Threads it trains on. */
  threads: number;
  epoch(order: number[]): Promise<void>;
  validationLoss(): Promise<number>;
  keep(): void;
  /** Leaves the kept weights (else the last ones) in the network. */
  finish(): Promise<void>;
}

/**
 * Epochs in a seeded batch order until the validation loss stops improving; the best epoch's weights
 * are left in the network. Returns the epochs run and the threads they ran on.
 */
export async function train(tf: Tf, net: LayersModel, d: TrainData, p: TrainParams, signal?: AbortSignal) {
  const rand = seededRandom((p.seed ?? 1) + 17);
  const trainer =
    (p.recurrentActivation ?? 'sigmoid') === 'hardSigmoid'
      ? layersTrainer(tf, net, d, p, signal)
      : fusedTrainer(tf, net, d, p, signal);
  let best = Infinity;
  let since = 0;
  let epochs = 0;
  try {
    for (let e = 0; e < (p.epochs ?? 30); e++) {
      epochs = e + 1;
      await trainer.epoch(shuffled(d.trainEnds, rand));
      signal?.throwIfAborted();
      const vl = await trainer.validationLoss();
      if (vl < best - 1e-7) {
        best = vl;
        since = 0;
        trainer.keep();
      } else if (++since >= (p.patience ?? 4)) break;
      p.log?.(`LSTM: epoch ${epochs}, validation loss ${vl.toPrecision(4)}`);
    }
  } finally {
    await trainer.finish();
  }
  return { epochs, threads: trainer.threads };
}

/**
 * Sigmoid gates (the default): the fused step of fused.ts on a float64 copy of the weights, over
 * `threads` threads, written back into the network's variables at the end.
 */
function fusedTrainer(tf: Tf, net: LayersModel, d: TrainData, p: TrainParams, signal?: AbortSignal): Trainer {
  const vars = netVariables(tf, net);
  const l = layout(d.window);
  const dims = { units: vars.recurrent.shape[0], steps: l.slices, recent: l.recent, horizon: d.horizon };
  const batchSize = p.batchSize ?? 64;
  const w = readWeights(vars);
  const adam = new Adam(w, p.learningRate ?? 1e-2);
  const val = windowBatch(d.scaled, d.valEnds, l, d.horizon);
  // Inside a worker thread (a fleet's fits) the machine's cores are already shared out: one thread.
  const threads = Parallel.start(p.threads ?? (isMainThread ? Math.min(4, availableParallelism()) : 1));
  let kept: Weights | undefined;
  return {
    threads: threads.threads,
    epoch: async (order) => {
      for (let s = 0; s < order.length && !signal?.aborted; s += batchSize) {
        const batch = windowBatch(d.scaled, order.slice(s, s + batchSize), l, d.horizon);
        adam.step(w, (await threads.gradients(w, dims, batch)).grads);
        // Yield between batches: a cancelled run stops within one batch.
        await new Promise((r) => setImmediate(r));
      }
    },
    validationLoss: async () => (await threads.squaredError(w, dims, val)) / val.y.length,
    keep: () => {
      kept = copyWeights(w);
    },
    finish: async () => {
      await threads.close();
      writeWeights(tf, vars, kept ?? w);
    },
  };
}

/** hardSigmoid gates (the defaults before 0.2): tfjs-layers' own fit, batch by batch. */
function layersTrainer(tf: Tf, net: LayersModel, d: TrainData, p: TrainParams, signal?: AbortSignal): Trainer {
  const l = layout(d.window);
  net.compile({ optimizer: tf.train.adam(p.learningRate ?? 1e-2), loss: 'meanSquaredError' });
  const [xv, yv] = tensors(tf, d.scaled, d.valEnds, l, d.horizon);
  let kept: Tensor[] | undefined;
  return {
    threads: 1,
    epoch: async (order) => {
      const [xt, yt] = tensors(tf, d.scaled, order, l, d.horizon);
      await net.fit(xt, yt, {
        epochs: 1,
        batchSize: p.batchSize ?? 64,
        shuffle: false,
        // 0 is ModelLoggingVerbosity.SILENT, which tfjs does not export.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
        verbose: 0,
        // Batches yield to the event loop: a cancelled run stops within one batch.
        callbacks: {
          onBatchEnd: () => {
            if (signal?.aborted) net.stopTraining = true;
          },
        },
      });
      xt.forEach((x) => x.dispose());
      yt.dispose();
    },
    validationLoss: async () =>
      tf.tidy(
        () => (net.evaluate(xv, yv, { batchSize: 256 }) as import('@tensorflow/tfjs-core').Scalar).dataSync()[0]!,
      ),
    keep: () => {
      kept?.forEach((t) => t.dispose());
      kept = net.getWeights().map((t) => t.clone());
    },
    finish: async () => {
      if (kept) net.setWeights(kept);
      kept?.forEach((t) => t.dispose());
      xv.forEach((x) => x.dispose());
      yv.dispose();
    },
  };
}

function shuffled<T>(xs: T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
