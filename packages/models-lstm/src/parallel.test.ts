import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@amf-foresight/core';
import { syntheticSeries } from '@amf-foresight/core/testing';
import { gradients } from './fused.js';
import { Parallel } from './parallel.js';

const dims = { units: 8, steps: 24, recent: 6, horizon: 5 };

function random(n: number) {
  const rand = seededRandom(3);
  const values = (k: number) => Float32Array.from({ length: k }, () => 2 * rand() - 1);
  const G = 4 * dims.units;
  const w = {
    kernel: Float64Array.from(values(G)),
    recurrent: Float64Array.from(values(dims.units * G)),
    bias: Float64Array.from(values(G)),
    dense: Float64Array.from(values((dims.units + dims.recent) * dims.horizon)),
    denseBias: Float64Array.from(values(dims.horizon)),
  };
  return { w, batch: { n, seq: values(n * dims.steps), rec: values(n * dims.recent), y: values(n * dims.horizon) } };
}

describe('Parallel: the fused step over threads', () => {
  it('from the sources (no helper file beside them) solves every part on this thread, as one batch', async () => {
    const { w, batch } = random(37);
    const p = Parallel.start(4);
    expect(p.threads).toBe(1);
    const got = await p.gradients(w, dims, batch);
    const want = gradients(w, dims, batch);
    expect(got.sse).toBeCloseTo(want.sse, 10);
    for (let i = 0; i < want.grads.recurrent.length; i++)
      expect(got.grads.recurrent[i]).toBeCloseTo(want.grads.recurrent[i]!, 12);
    expect(await p.squaredError(w, dims, batch)).toBeCloseTo(want.sse, 10);
    await p.close();
  });

  // The built package (make test builds before it tests): helper threads run dist/fused-worker.js.
  const dist = new URL('../dist/index.js', import.meta.url);
  it('the built package trains on helper threads, and its fit does not depend on how many', async () => {
    expect(existsSync(dist), 'build the package first (make build)').toBe(true);
    const { Lstm } = (await import(dist.href)) as typeof import('./index.js');
    const s = syntheticSeries(600);
    const p = { epochs: 3, maxSamples: 200, maxHorizon: 6, backend: 'wasm' as const };
    const [one, two] = [await new Lstm({ ...p, threads: 1 }).fit(s), await new Lstm({ ...p, threads: 2 }).fit(s)];
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(Array.from(two.predict(12).mean)).toEqual(Array.from(one.predict(12).mean));
  }, 60_000);
});
