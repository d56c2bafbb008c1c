import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forecasterConformance, syntheticSeries } from '@amf-foresight/core/testing';
import { conformalQuantile } from '@amf-foresight/core';
import { Lstm } from './lstm.js';

// Small settings keep the suite quick; the defaults are exercised by bench/models.mjs.
const quick = { epochs: 6, maxSamples: 200 };
forecasterConformance('LSTM', { make: () => new Lstm({ ...quick, maxHorizon: 24 }), load: (d) => Lstm.load(d) });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('LSTM', () => {
  it('logs its backend: wasm here (tfjs-node cannot install offline), after trying tfjs-node', async () => {
    const lines: string[] = [];
    const m = await new Lstm({ ...quick, log: (l) => lines.push(l) }).fit(syntheticSeries(600));
    expect(m.backend).toBe('wasm');
    expect(lines[0]).toBe('LSTM: TensorFlow.js backend wasm (@tensorflow/tfjs-node is not installed)');
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

  it('the cpu backend gives the same forecast as wasm to float32 precision', async () => {
    const s = syntheticSeries(500);
    const a = (await new Lstm({ epochs: 2, maxSamples: 60, backend: 'wasm' }).fit(s)).predict(4);
    const b = (await new Lstm({ epochs: 2, maxSamples: 60, backend: 'cpu' }).fit(s)).predict(4);
    for (let i = 0; i < 4; i++) expect(Math.abs(a.mean[i]! - b.mean[i]!)).toBeLessThan(1e-3 * Math.abs(a.mean[i]!));
  }, 60_000);

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
      await expect(new Lstm().fit(syntheticSeries(300))).rejects.toMatchObject({ code: 'SERIES_TOO_SHORT' });
      expect(() => new Lstm({ maxHorizon: 0 })).toThrow(expect.objectContaining({ code: 'LSTM_BAD_PARAM' }));
    },
  );

  it('a forced backend that is not installed is one clear error naming what to install', async () => {
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
