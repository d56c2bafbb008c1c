import { join } from 'node:path';
import {
  DEFAULT_LEVELS,
  InputError,
  conformalQuantile,
  fillGaps,
  NotFittedError,
  checkHorizon,
  checkSeries,
  futureTimes,
  badModelFile,
  readManifest,
  readModelJson,
  readRegularFile,
  writeFilesAtomic,
  writeManifest,
  zForLevel,
  makeDir,
} from '@amf-foresight/core';
import type { FitOptions, Forecast, Forecaster, PredictOptions, SeriesInput } from '@amf-foresight/core';
import { tensorflow } from './backend.js';
import type { BackendName, Tf } from './backend.js';
import { train } from './train.js';
import { layout, tensors } from './windows.js';
import type { Layout } from './windows.js';

const DAY_MS = 86_400_000;

export interface LstmParams {
  /** Steps the network predicts in one pass (its output layer); default 12. Longer forecasts chain passes. */
  maxHorizon?: number;
  /** Input window in steps; default one day of the series' step (at least 24 steps). */
  window?: number;
  /** LSTM units; default 16. */
  units?: number;
  /** Maximum epochs; default 30. Early stopping usually ends sooner. */
  epochs?: number;
  /** Epochs without improvement of the validation loss before stopping; default 4. */
  patience?: number;
  /** Share of the training windows, the latest ones, kept for validation and intervals; default 0.2. */
  validationShare?: number;
  /** At most this many training windows (evenly strided); default 800. */
  maxSamples?: number;
  /** Default 64. */
  batchSize?: number;
  /**
   * The gates' activation: `sigmoid` (default; the standard LSTM, Keras's default since TF 2) or
   * `hardSigmoid` (tfjs-layers' default, a piecewise-linear approximation: more operations in
   * TensorFlow.js, the defaults before 0.2).
   */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** Adam's learning rate; default 0.01. */
  learningRate?: number;
  /** Seed of the weight initialisation and batch order; default 1. */
  seed?: number;
  /**
   * Threads a sigmoid-gated fit trains on (this one and helper threads); default min(4, the machine's
   * available parallelism), 1 when fitting inside a worker thread. The result does not depend on it.
   */
  threads?: number;
  /** Force a backend instead of wasm → tfjs-node → cpu. */
  backend?: BackendName;
  /** Where the backend choice and training progress are reported. */
  log?: (message: string) => void;
}

interface State {
  stepMs: number;
  lastDs: number;
  mean: number;
  std: number;
  window: number;
  horizon: number;
  /** The last `window` scaled values: the input of the next forecast. */
  tail: number[];
  /** Absolute validation errors per horizon step (original units), sorted: the conformal scores. */
  scores: number[][];
  backend: BackendName;
  epochs: number;
  /** Threads the fit trained on (absent in models saved before 0.2). */
  threads?: number;
}

type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;

/**
 * A small LSTM for 1–5 minute container metrics, fitted with TensorFlow.js.
 *
 * Network: the input window (one day by default) is averaged into ≈ 24 slices for an LSTM, whose
 * state is joined with the last slice's raw values (recent detail) and mapped by a dense layer to
 * all `maxHorizon` steps at once (direct multi-step). Targets are changes from the last input
 * value, scaled by the training part's mean and deviation only. Training windows are in time
 * order; the latest `validationShare` of them are never trained on: they drive early stopping
 * (the best epoch's weights are kept) and give the conformal intervals: at level L, step j,
 * the ⌈(n+1)·L⌉-th smallest absolute validation error at step j.
 *
 * Seeded initialisers and a seeded batch order make two fits on the same backend identical.
 */
export class Lstm implements Forecaster {
  readonly name = 'LSTM';
  private state: State | undefined;
  private net: LayersModel | undefined;
  private tf: Tf | undefined;

  constructor(readonly params: LstmParams = {}) {
    const h = params.maxHorizon ?? 12;
    if (!Number.isInteger(h) || h < 1)
      throw new InputError('LSTM_BAD_PARAM', `maxHorizon must be a whole number ≥ 1, got ${h}`);
    const v = params.validationShare ?? 0.2;
    if (!(v > 0 && v < 0.9)) throw new InputError('LSTM_BAD_PARAM', `validationShare must be in (0, 0.9), got ${v}`);
    // Training follows the gates (fused.ts is the sigmoid network): another activation would train one function
    // and predict with another.
    const gates: string = params.recurrentActivation ?? 'sigmoid';
    if (gates !== 'sigmoid' && gates !== 'hardSigmoid')
      throw new InputError('LSTM_BAD_PARAM', `recurrentActivation must be sigmoid or hardSigmoid, got ${gates}`);
  }

  /** Threads the last fit trained on (1 on a constant series, which trains nothing). */
  get threads(): number | undefined {
    return this.state?.threads;
  }

  /** The backend the last fit or load ran on. */
  get backend(): BackendName | undefined {
    return this.state?.backend;
  }

  async fit(series: SeriesInput, options: FitOptions = {}): Promise<this> {
    const stepMs = checkSeries(series, this.name, 3);
    const p = this.params;
    const y = Array.from(fillGaps(series.y));
    const n = y.length;
    const { window, horizon } = shape(n, stepMs, p);
    const { tf, backend, reason } = await tensorflow(p.backend);
    announce(reason, p.log);
    this.tf = tf;
    if (y.every((v) => v === y[0])) {
      // Nothing to learn: an untrained network would add its initial noise to the constant.
      this.net?.dispose();
      this.net = undefined;
      this.state = {
        stepMs,
        lastDs: series.ds[n - 1]!,
        mean: y[0]!,
        std: 1,
        window,
        horizon,
        tail: new Array<number>(window).fill(0),
        scores: Array.from({ length: horizon }, () => [0]),
        backend,
        epochs: 0,
        threads: 1,
      };
      return this;
    }

    const { valEnds, trainEnds, mean, std, scaled } = prepare(y, window, horizon, p);
    const net = buildNetwork(tf, layout(window), horizon, p);
    let trained: { epochs: number; threads: number };
    try {
      trained = await train(tf, net, { scaled, trainEnds, valEnds, window, horizon }, p, options.signal);
    } catch (e) {
      net.dispose();
      throw e;
    }
    // Conformal scores: absolute errors of the kept network (as it predicts) on the validation windows.
    const pv = tf.tidy(() => {
      const [xv] = tensors(tf, scaled, valEnds, layout(window), horizon);
      return (net.predict(xv) as import('@tensorflow/tfjs-core').Tensor).arraySync() as number[][];
    });
    const scores = Array.from({ length: horizon }, () => [] as number[]);
    valEnds.forEach((e, k) => {
      for (let j = 0; j < horizon; j++)
        scores[j]!.push(Math.abs(y[e + j]! - (scaled[e - 1]! + pv[k]![j]!) * std - mean));
    });
    scores.forEach((sc) => sc.sort((x, z) => x - z));
    this.net?.dispose();
    this.net = net;
    this.state = {
      stepMs,
      lastDs: series.ds[n - 1]!,
      mean,
      std,
      window,
      horizon,
      tail: scaled.slice(n - window),
      scores,
      backend,
      ...trained,
    };
    return this;
  }

  /**
   * The next h steps. Past the trained horizon H the network is chained: each block of H steps
   * starts from the forecasts before it, and the interval half-width of step j in block b is
   * √(b·q_H² + q_(j mod H)²): the errors of the blocks before it add, taken as independent.
   */
  predict(h: number, options: PredictOptions = {}): Forecast {
    const st = this.state;
    if (!st || !this.tf) throw new NotFittedError(this.name);
    checkHorizon(h);
    const scaled = this.chained(st, h);
    const mean = Float64Array.from(scaled, (v) => v * st.std + st.mean);
    const ds = futureTimes(st.lastDs, st.stepMs, h);
    const intervals: Forecast['intervals'] = {};
    const H = st.horizon;
    for (const level of options.levels ?? DEFAULT_LEVELS) {
      zForLevel(level); // checks the level
      const q = Array.from({ length: H }, (_, j) => conformalQuantile(st.scores[j]!, level / 100));
      const half = Float64Array.from({ length: h }, (_, j) =>
        Math.sqrt(Math.floor(j / H) * q[H - 1]! ** 2 + q[j % H]! ** 2),
      );
      intervals[level] = { lo: mean.map((v, j) => v - half[j]!), hi: mean.map((v, j) => v + half[j]!) };
    }
    return { ds, mean, intervals };
  }

  /** Scaled forecasts of h steps: one pass of the network per H steps, each fed the ones before. */
  private chained(st: State, h: number): number[] {
    const out: number[] = [];
    let tail = st.tail;
    while (out.length < h) {
      const last = tail[tail.length - 1]!;
      const block = this.net
        ? this.tf!.tidy(() => {
            const [x] = tensors(this.tf!, tail, [tail.length], layout(st.window), st.horizon);
            return Array.from((this.net!.predict(x) as import('@tensorflow/tfjs-core').Tensor).dataSync());
          })
        : new Array<number>(st.horizon).fill(0);
      const values = block.map((v) => last + v);
      out.push(...values);
      tail = [...tail, ...values].slice(-st.window);
    }
    return out.slice(0, h);
  }

  save(dir: string): void {
    const st = this.state;
    if (!st) throw new NotFittedError(this.name);
    makeDir(dir);
    const { tail, scores, ...rest } = st;
    const manifest = {
      model: this.name,
      params: serialisable(this.params),
      libraries: { '@tensorflow/tfjs-core': this.tf!.version_core, '@tensorflow/tfjs-layers': this.tf!.version_layers },
      stepMs: st.stepMs,
      lastDs: st.lastDs,
      payload: { ...rest, tail, scores, network: this.net !== undefined },
    };
    if (!this.net) {
      writeManifest(dir, manifest);
      return;
    }
    // tfjs saves through async handlers (and a file:// one only with tfjs-node); save() is
    // synchronous here, so the topology and weights are taken directly, in tfjs's own layout:
    // model.json (topology + weights manifest) and weights.bin (float32, in manifest order).
    const specs = this.net.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape.map(Number),
      dtype: 'float32' as const,
    }));
    const parts = this.net.weights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).slice().buffer));
    const weights = Buffer.concat(parts);
    const artifacts = { modelTopology: this.net.toJSON(null, false), weightSpecs: specs };
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'TensorFlow.js',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    writeFilesAtomic([
      { path: join(dir, 'model.json'), data: JSON.stringify(modelJson) },
      { path: join(dir, 'weights.bin'), data: weights },
    ]);
    writeManifest(dir, manifest);
  }

  static async load(dir: string, options: Pick<LstmParams, 'backend' | 'log'> = {}): Promise<Lstm> {
    const m = readManifest(dir, 'LSTM');
    const model = new Lstm({ ...(m.params as LstmParams), ...options });
    const { tf, backend, reason } = await tensorflow(options.backend);
    announce(reason, options.log);
    model.tf = tf;
    model.state = { ...(m.payload as State), backend };
    if ((m.payload as { network?: boolean }).network === false) return model;
    const modelJson = readModelJson(join(dir, 'model.json')) as {
      modelTopology: object;
      weightsManifest: { weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[] }[];
    };
    const weights = readRegularFile(join(dir, 'weights.bin'));
    const specs = modelJson.weightsManifest[0]?.weights ?? [];
    const expected = specs.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (weights.length !== expected)
      throw badModelFile(join(dir, 'weights.bin'), `${weights.length} bytes where the network needs ${expected}`);
    const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    if (!new Float32Array(weightData).every(Number.isFinite))
      throw badModelFile(join(dir, 'weights.bin'), 'a weight is not a finite number');
    model.net = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0]!.weights,
        weightData,
      }),
    );
    return model;
  }
}

/** At least this many training windows (before the validation split). */
const MIN_WINDOWS = 40;
/** The fewest points a fit takes: a 24-step window, a 1-step output and MIN_WINDOWS windows, with W ≤ n/3. */
export const LSTM_MIN_POINTS = 80;

/**
 * The input window and the network's output steps for n points. Defaults: a day of the step and
 * `maxHorizon`, shrunk on short series to a third and a sixth of them (a day of 1-minute data
 * gets a 480-step window), so that at least half the points start a training window; longer
 * forecasts chain the network. An explicit `window` is kept, or refused when it does not fit.
 */
function shape(n: number, stepMs: number, p: LstmParams): { window: number; horizon: number } {
  const tooShort = (need: number, what: string) =>
    new InputError('SERIES_TOO_SHORT', `LSTM needs at least ${need} points${what}, got ${n}`, {
      hint: 'use a longer window (--start/--end), a smaller --horizon, or another model',
    });
  if (n < LSTM_MIN_POINTS) throw tooShort(LSTM_MIN_POINTS, '');
  const horizon = Math.max(1, Math.min(p.maxHorizon ?? 12, Math.floor(n / 6)));
  if (p.window !== undefined) {
    if (n < p.window + horizon + MIN_WINDOWS)
      throw tooShort(p.window + horizon + MIN_WINDOWS, ` for a ${p.window}-step window`);
    return { window: p.window, horizon };
  }
  return { window: Math.max(24, Math.min(Math.round(DAY_MS / stepMs), Math.floor(n / 3))), horizon };
}

/**
 * Training windows ending at e (exclusive: input y[e−window, e), targets y[e, e+h)) in time order;
 * the latest validationShare are kept for validation. Scaling comes from the points the training
 * windows see, never the validation tail.
 */
function prepare(y: number[], window: number, horizon: number, p: LstmParams) {
  const ends: number[] = [];
  for (let e = window; e + horizon <= y.length; e++) ends.push(e);
  const nVal = Math.max(10, Math.round(ends.length * (p.validationShare ?? 0.2)));
  const valEnds = ends.slice(ends.length - nVal);
  let trainEnds = ends.slice(0, ends.length - nVal);
  const seen = y.slice(0, trainEnds[trainEnds.length - 1]! + horizon);
  const mean = seen.reduce((a, v) => a + v, 0) / seen.length;
  const std = Math.sqrt(seen.reduce((a, v) => a + (v - mean) ** 2, 0) / seen.length) || 1;
  const maxSamples = p.maxSamples ?? 800;
  if (trainEnds.length > maxSamples) {
    const stride = trainEnds.length / maxSamples;
    trainEnds = Array.from({ length: maxSamples }, (_, i) => trainEnds[Math.floor(i * stride)]!);
  }
  return { valEnds, trainEnds, mean, std, scaled: y.map((v) => (v - mean) / std) };
}

const announced = new Set<string>();

/** The backend choice, once per process and backend (every backtest window would repeat it). */
function announce(reason: string, log?: (m: string) => void): void {
  if (!log || announced.has(reason)) return;
  announced.add(reason);
  log(`LSTM: TensorFlow.js backend ${reason}`);
}

function buildNetwork(tf: Tf, l: Layout, horizon: number, p: LstmParams): LayersModel {
  const seed = p.seed ?? 1;
  const seq = tf.input({ shape: [l.slices, 1] });
  const recent = tf.input({ shape: [l.recent] });
  const state = tf.layers
    .lstm({
      units: p.units ?? 16,
      recurrentActivation: p.recurrentActivation ?? 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(seq) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const joined = tf.layers.concatenate().apply([state, recent]);
  const output = tf.layers
    .dense({ units: horizon, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })
    .apply(joined) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  return tf.model({ inputs: [seq, recent], outputs: output });
}

/** The parameters without the log callback (functions do not serialise). */
function serialisable(p: LstmParams): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'log'));
}
