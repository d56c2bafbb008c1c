import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vpaStyle } from './vpa.js';

interface Golden {
  cases: { name: string; metric: 'cpu' | 'memory'; start: number; stepMs: number; pods: (number | null)[][] }[];
  results: { name: string; target: number; lowerBound: number; upperBound: number }[];
}

// Made by golden/make_golden.mjs: the same histories through the VPA recommender's own Go code.
const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../golden/vpa.json'), 'utf8')) as Golden;

describe('vpaStyle equals the Kubernetes VPA recommender (k8s.io/autoscaler v1.8.1, default config)', () => {
  it.each(golden.cases.map((c, i) => [c.name, c, golden.results[i]!] as const))('%s', (_name, c, want) => {
    const r = vpaStyle(
      {
        start: c.start,
        stepMs: c.stepMs,
        pods: c.pods.map((p, i) => ({ name: `p${i}`, values: Float64Array.from(p, (v) => v ?? NaN) })),
      },
      c.metric,
    );
    // Whole millicores as VPA's amounts; memory within a byte of its whole bytes.
    const tol = c.metric === 'cpu' ? 1e-9 : 1 / (1024 * 1024);
    expect(Math.abs(r.target - want.target)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.lowerBound - want.lowerBound)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.upperBound - want.upperBound)).toBeLessThanOrEqual(tol);
  });
});
