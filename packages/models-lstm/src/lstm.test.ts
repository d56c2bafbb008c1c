import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forecasterConformance, syntheticSeries } from '@amf-foresight/core/testing';
import { conformalQuantile } from '@amf-foresight/core';
import { Lstm } from './lstm.js';
import type { BackendName } from './backend.js';

// Small settings keep the suite quick; the defaults are exercised by bench/lstm.mjs and bench/models.mjs.
const quick = { epochs: 6, maxSamples: 200 };
forecasterConformance('LSTM', { make: () => new Lstm({ ...quick, maxHorizon: 24 }), load: (d) => Lstm.load(d) });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** tfjs-node: installed by tools/tfjs-node/install.sh (make test); CI must have it. */
const tfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
const tensorflow = { backend: 'tensorflow' as const };
if (tfjsNode)
  forecasterConformance('LSTM on tfjs-node', {
    make: () => new Lstm({ ...quick, ...tensorflow, maxHorizon: 24 }),
    load: (d) => Lstm.load(d, tensorflow),
  });

describe('LSTM backends', () => {
  it.runIf(process.env['CI'])('CI has tfjs-node (tools/tfjs-node/install.sh, from make test)', () => {
    expect(tfjsNode, 'see ~/.cache/amf-foresight/tfjs-node/install.log').toBe(true);
  });

  // Same seed and data on each backend; two epochs keep float32 differences from compounding. Sigmoid gates train
  // in fused.ts (float64, on no backend) and predict on the backend; hardSigmoid gates also train on it.
  const others: BackendName[] = ['cpu', ...(tfjsNode ? (['tensorflow'] as const) : [])];
  it.each(others.flatMap((b) => (['sigmoid', 'hardSigmoid'] as const).map((g) => [b, g] as const)))(
    '%s with %s gates gives the same forecast and intervals as wasm to float32 precision',
    async (backend, recurrentActivation) => {
      const s = syntheticSeries(500);
      const p = { epochs: 2, maxSamples: 60, maxHorizon: 6, recurrentActivation };
      const a = await new Lstm({ ...p, backend: 'wasm' }).fit(s);
      const b = await new Lstm({ ...p, backend }).fit(s);
      expect(b.backend).toBe(backend);
      const [fa, fb] = [a.predict(12), b.predict(12)];
      for (let i = 0; i < 12; i++) {
        expect(Math.abs(fa.mean[i]! - fb.mean[i]!)).toBeLessThan(1e-3 * Math.abs(fa.mean[i]!));
        const w = (f: typeof fa) => f.intervals[90]!.hi[i]! - f.intervals[90]!.lo[i]!;
        expect(Math.abs(w(fa) - w(fb))).toBeLessThan(1e-3 * w(fa) + 1e-6);
      }
    },
    120_000,
  );

  it.runIf(tfjsNode)(
    'a model fitted on tfjs-node loads and forecasts the same on wasm',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'amf-lstm-'));
      dirs.push(dir);
      const m = await new Lstm({ ...quick, ...tensorflow }).fit(syntheticSeries(600));
      m.save(dir);
      const back = await Lstm.load(dir, { backend: 'wasm' });
      expect(back.backend).toBe('wasm');
      const [f, g] = [m.predict(12).mean, back.predict(12).mean];
      for (let i = 0; i < 12; i++) expect(Math.abs(f[i]! - g[i]!)).toBeLessThan(1e-4 * Math.abs(f[i]!) + 1e-6);
    },
    120_000,
  );
});

describe('LSTM', () => {
  it('logs its backend once: wasm, the fastest here, saying so when tfjs-node is installed', async () => {
    const lines: string[] = [];
    const m = await new Lstm({ ...quick, log: (l) => lines.push(l) }).fit(syntheticSeries(600));
    expect(m.backend).toBe('wasm');
    expect(lines[0]).toBe(
      `LSTM: TensorFlow.js backend wasm${tfjsNode ? ' (faster here than the installed tfjs-node)' : ''}`,
    );
    expect(lines.some((l) => /epoch 1, validation loss/.test(l))).toBe(true);
    // Once per process: a backtest's many fits do not repeat it.
    await new Lstm({ ...quick, log: (l) => lines.push(l) }).fit(syntheticSeries(600));
    expect(lines.filter((l) => l.includes('backend'))).toHaveLength(1);
  });

  it('two fits with the same seed give the same forecast; another seed does not', async () => {
    const s = syntheticSeries(600);
    const a = (await new Lstm({ ...quick, seed: 3 }).fit(s)).predict(12);
    const b = (await new Lstm({ ...quick, seed: 3 }).fit(s)).predict(12);
    const c = (await new Lstm({ ...quick, seed: 4 }).fit(s)).predict(12);
    expect(b.mean).toEqual(a.mean);
    expect(b.intervals[90]!.hi).toEqual(a.intervals[90]!.hi);
    expect(c.mean).not.toEqual(a.mean);
  });

  it('learns: on a clean daily pattern it beats repeating the last value', async () => {
    const s = syntheticSeries(1400);
    const train = { ds: s.ds.slice(0, 1300), y: s.y.slice(0, 1300) };
    const f = (await new Lstm({ epochs: 20, maxSamples: 400 }).fit(train)).predict(12);
    let lstmErr = 0;
    let naiveErr = 0;
    for (let j = 0; j < 12; j++) {
      lstmErr += Math.abs(f.mean[j]! - s.y[1300 + j]!);
      naiveErr += Math.abs(train.y[1299]! - s.y[1300 + j]!);
    }
    expect(lstmErr).toBeLessThan(naiveErr);
  }, 60_000);

  it('fits a day of 1-minute data: the window shrinks to a third of it, the output to a sixth', async () => {
    const ds = Array.from({ length: 1440 }, (_, i) => i * 60_000);
    const y = ds.map((_, i) => 5 + Math.sin((2 * Math.PI * i) / 240) + (i % 7) / 20);
    const m = await new Lstm({ ...quick, maxHorizon: 288 }).fit({ ds, y });
    const f = m.predict(576);
    expect(f.mean.every(Number.isFinite)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'amf-lstm-'));
    dirs.push(dir);
    m.save(dir);
    const payload = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { payload: object }).payload;
    expect(payload).toMatchObject({ window: 480, horizon: 240 });
  }, 60_000);

  it('saves tfjs model files next to the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amf-lstm-'));
    dirs.push(dir);
    (await new Lstm(quick).fit(syntheticSeries(600))).save(dir);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      format: string;
      weightsManifest: { weights: unknown[] }[];
    };
    expect(model.format).toBe('layers-model');
    expect(model.weightsManifest[0]!.weights.length).toBeGreaterThan(3);
    // Issue 13, finding 4: truncated or NaN weights are refused on load, in one line.
    const weights = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), weights.subarray(0, weights.length - 8));
    await expect(Lstm.load(dir)).rejects.toMatchObject({ code: 'MODEL_BAD_FILE', message: /bytes where the network/ });
    const nan = Buffer.from(weights);
    nan.writeFloatLE(NaN, 0);
    writeFileSync(join(dir, 'weights.bin'), nan);
    await expect(Lstm.load(dir)).rejects.toMatchObject({ code: 'MODEL_BAD_FILE', message: /not a finite number/ });
    // Issue 13, finding 3: weights.bin linked to /dev/zero was read until memory ran out.
    rmSync(join(dir, 'weights.bin'));
    symlinkSync('/dev/zero', join(dir, 'weights.bin'));
    await expect(Lstm.load(dir)).rejects.toMatchObject({ code: 'MODEL_BAD_FILE', message: /not a regular file/ });
  });

  it(
    'forecasts past its trained horizon by chaining the network, also after save/load; refuses series ' +
      'shorter than a window',
    async () => {
      const m = await new Lstm({ ...quick, maxHorizon: 6 }).fit(syntheticSeries(600));
      const f = m.predict(20);
      expect(Array.from(f.mean.slice(0, 6))).toEqual(Array.from(m.predict(6).mean));
      expect(f.mean.every(Number.isFinite)).toBe(true);
      // The blocks' errors add up: the 90 % interval widens from one block to the next.
      const w = (i: number) => f.intervals[90]!.hi[i]! - f.intervals[90]!.lo[i]!;
      expect(w(6)).toBeGreaterThan(w(0));
      expect(w(12)).toBeGreaterThan(w(6) - 1e-9);
      const dir = mkdtempSync(join(tmpdir(), 'amf-lstm-'));
      dirs.push(dir);
      m.save(dir);
      const back = await Lstm.load(dir);
      expect(Array.from(back.predict(20).mean)).toEqual(Array.from(f.mean));
      await expect(new Lstm().fit(syntheticSeries(79))).rejects.toMatchObject({
        code: 'SERIES_TOO_SHORT',
        message: 'LSTM needs at least 80 points, got 79',
      });
      await expect(new Lstm({ window: 200 }).fit(syntheticSeries(250))).rejects.toMatchObject({
        message: 'LSTM needs at least 252 points for a 200-step window, got 250',
      });
      expect(() => new Lstm({ maxHorizon: 0 })).toThrow(expect.objectContaining({ code: 'LSTM_BAD_PARAM' }));
      expect(() => new Lstm({ recurrentActivation: 'relu' as 'sigmoid' })).toThrow(
        expect.objectContaining({
          code: 'LSTM_BAD_PARAM',
          message: expect.stringMatching(/recurrentActivation must be sigmoid or hardSigmoid/),
        }),
      );
    },
  );

  it.skipIf(tfjsNode)('a forced backend that is not installed is one clear error naming what to install', async () => {
    await expect(new Lstm({ ...quick, backend: 'tensorflow' }).fit(syntheticSeries(600))).rejects.toMatchObject({
      code: 'LSTM_NO_BACKEND',
      details: { hint: expect.stringContaining('npm install @tensorflow/tfjs-node') },
    });
  });

  it('conformal quantiles: the ⌈(n+1)·level⌉-th smallest score', () => {
    const s = Array.from({ length: 19 }, (_, i) => i + 1);
    expect(conformalQuantile(s, 0.9)).toBe(18);
    expect(conformalQuantile(s, 0.95)).toBe(19);
    expect(conformalQuantile(s, 0.99)).toBe(19);
    expect(conformalQuantile([], 0.9)).toBe(0);
  });
});
