/**
 * The conformance suite every `models-*` package runs (import from
 * `@amf-foresight/core/testing`; needs vitest). It checks the Forecaster contract, not accuracy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AmfError } from './errors.js';
import type { Forecaster, SeriesInput } from './forecaster.js';

export interface ConformanceOptions {
  /** A new, unfitted model. */
  make: () => Forecaster;
  /** Loads a model saved with save(dir). */
  load: (dir: string) => Promise<Forecaster> | Forecaster;
  /** Points of the generated training series (default 600, 5-minute steps). */
  points?: number;
  /** Tolerance of save → load → same forecast (default: exact). */
  tolerance?: number;
}

/** A daily-seasonal series with noise at 5-minute steps, deterministic. */
export function syntheticSeries(points = 600, stepMs = 300_000): SeriesInput {
  const ds = new Float64Array(points);
  const y = new Float64Array(points);
  let s = 42;
  for (let i = 0; i < points; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    ds[i] = Date.UTC(2023, 5, 5) + i * stepMs;
    y[i] = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * (s / 2 ** 31 - 0.5) + i * 0.01;
  }
  return { ds, y };
}

/**
 * Runs `work` with a signal aborted `afterMs` later, and waits for it to settle: what it threw (or
 * 'finished') and how many ms after the abort was due it settled. Counted from when the abort was
 * due, not from when its timer fired: a blocked event loop delays that timer just as it delays a
 * Ctrl-C's handler, and that delay is the latency a user sees.
 */
export async function cancelAfter(
  work: (signal: AbortSignal) => Promise<unknown>,
  afterMs: number,
): Promise<{ outcome: unknown; latencyMs: number }> {
  const ac = new AbortController();
  const due = performance.now() + afterMs;
  const timer = setTimeout(() => ac.abort(new Error('cancelled by the test')), afterMs);
  const outcome = await work(ac.signal).then(
    () => 'finished',
    (e: unknown) => e,
  );
  clearTimeout(timer);
  return { outcome, latencyMs: performance.now() - due };
}

export function forecasterConformance(name: string, o: ConformanceOptions): void {
  describe(`${name}: Forecaster contract`, () => {
    const series = syntheticSeries(o.points ?? 600);
    it('throws NotFittedError when predicting before fit', () => {
      expect(() => o.make().predict(3)).toThrow(expect.objectContaining({ code: 'NOT_FITTED' }));
    });
    it(
      'fit returns the model; predict(h) gives h steps after the series, with 80/90/95 % intervals ' + 'that nest',
      async () => {
        const m = o.make();
        expect(await m.fit(series)).toBe(m);
        const f = m.predict(12);
        expect(f.mean).toHaveLength(12);
        expect(f.ds[0]).toBe(series.ds[series.ds.length - 1]! + 300_000);
        expect(
          Object.keys(f.intervals)
            .map(Number)
            .sort((a, b) => a - b),
        ).toEqual([80, 90, 95]);
        for (let i = 0; i < 12; i++) {
          expect(Number.isFinite(f.mean[i]!)).toBe(true);
          expect(f.intervals[80]!.lo[i]!).toBeLessThanOrEqual(f.mean[i]!);
          expect(f.intervals[80]!.hi[i]!).toBeGreaterThanOrEqual(f.mean[i]!);
          expect(f.intervals[95]!.lo[i]!).toBeLessThanOrEqual(f.intervals[80]!.lo[i]!);
          expect(f.intervals[95]!.hi[i]!).toBeGreaterThanOrEqual(f.intervals[80]!.hi[i]!);
        }
        const f50 = m.predict(2, { levels: [50] });
        expect(Object.keys(f50.intervals)).toEqual(['50']);
      },
    );
    it('save → load gives the same forecast', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'amf-model-'));
      try {
        const m = await o.make().fit(series);
        m.save(dir);
        const back = await o.load(dir);
        const a = m.predict(24);
        const b = back.predict(24);
        for (let i = 0; i < 24; i++) {
          expect(Math.abs(a.mean[i]! - b.mean[i]!)).toBeLessThanOrEqual(o.tolerance ?? 0);
          expect(Math.abs(a.intervals[90]!.hi[i]! - b.intervals[90]!.hi[i]!)).toBeLessThanOrEqual(o.tolerance ?? 0);
        }
        expect(b.ds).toEqual(a.ds);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    it('refuses a manifest from a newer version and a horizon ≤ 0', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'amf-model-'));
      try {
        const m = await o.make().fit(series);
        m.save(dir);
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ formatVersion: 99, model: m.name }));
        await expect(Promise.resolve().then(() => o.load(dir))).rejects.toMatchObject({
          code: 'MODEL_MANIFEST_TOO_NEW',
        });
        expect(() => m.predict(0)).toThrow(expect.objectContaining({ code: 'BAD_HORIZON' }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    it('rejects NaN-riddled, infinite and too-short input with typed errors; handles a constant series', async () => {
      const nan = { ds: series.ds, y: Float64Array.from(series.y, (v, i) => (i % 2 ? NaN : v)) };
      await expect(o.make().fit(nan)).rejects.toBeInstanceOf(AmfError);
      const inf = { ds: series.ds, y: Float64Array.from(series.y, (v, i) => (i === 5 ? Infinity : v)) };
      await expect(o.make().fit(inf)).rejects.toMatchObject({ code: 'SERIES_NOT_FINITE' });
      await expect(o.make().fit({ ds: series.ds.slice(0, 1), y: series.y.slice(0, 1) })).rejects.toMatchObject({
        code: 'SERIES_TOO_SHORT',
      });
      const constant = { ds: series.ds, y: new Float64Array(series.y.length).fill(7) };
      const f = (await o.make().fit(constant)).predict(5);
      for (const v of f.mean) expect(v).toBeCloseTo(7, 6);
    });
  });
}
