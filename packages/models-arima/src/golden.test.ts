import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN, nabSeries } from './golden.test-util.js';
import { runArima, stopArimaWorker } from './worker.js';

afterAll(stopArimaWorker);

/**
 * Tolerances, from what the package and statsmodels (exact ML both) actually do on these series:
 * - forecast means within 0.1 σ (σ = statsmodels' innovation sd): 33 of the 34 converged fits agree
 *   within 0.016 σ and one (825cc2, AR(1)) at 0.065 σ — optimisers stop at slightly different
 *   points of a flat likelihood, which moves forecasts by a few hundredths of σ, nothing a capacity
 *   planner can see;
 * - forecast-error variances within 1 % (worst 0.4 %);
 * - one fit is a known outlier: rds_cpu_utilization_cc0c53 ARIMA(2,0,1), where the two reach
 *   different optima of a near-cancelling AR/MA pair (0.57 σ apart at h = 12); it is held to 1 σ.
 * Fits statsmodels itself reports as not converged are skipped.
 */
const OUTLIER = 'rds_cpu_utilization_cc0c53.csv 2,0,1';

describe(`ARIMA forecasts equal statsmodels ${GOLDEN.statsmodels} on the NAB CPU series`, () => {
  for (const [file, fits] of Object.entries(GOLDEN.series)) {
    it(file, async () => {
      const y = Float64Array.from(nabSeries(file).y.slice(0, GOLDEN.n_train));
      let checked = 0;
      for (const f of fits.filter((x) => x.converged)) {
        const r = await runArima({ y, p: f.order[0], d: f.order[1], q: f.order[2], D: 0, s: 0, h: GOLDEN.h });
        const sd = Math.sqrt(f.sigma2);
        const tol = `${file} ${f.order.join(',')}` === OUTLIER ? 1 : 0.1;
        for (let i = 0; i < GOLDEN.h; i++) {
          expect(Math.abs(r.mean[i]! - f.mean[i]!) / sd, `${f.order.join(',')} h=${i + 1}`).toBeLessThanOrEqual(tol);
          expect(
            Math.abs(r.variance[i]! / f.var[i]! - 1),
            `${f.order.join(',')} h=${i + 1} variance`,
          ).toBeLessThanOrEqual(0.01);
        }
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(4);
    });
  }
});

/**
 * Coefficients, read from ctsa's fitted struct in the wasm heap (worker.ts), against statsmodels'.
 * Tolerances from what the two optimisers do on these series (measured: AR/MA ≤ 0.0039, σ² ≤ 0.061 %,
 * log-likelihood within 0.003 or higher on our side):
 * - AR and MA coefficients within 0.005 (ctsa's MA sign is flipped to statsmodels' convention);
 * - σ² within 0.1 %;
 * - our log-likelihood at least statsmodels' − 0.01: where the two differ more, ctsa found the
 *   higher optimum (up to +1.18 on near-unit-root AR(1) fits, whose constant is weakly identified).
 * Two ARMA(2,0,1) fits are near-cancelling AR/MA pairs with a flat likelihood: their coefficients
 * are not identified (24ae8d: ctsa −0.90/−0.06/θ 0.85 vs −0.52/−0.05/θ −0.46 at equal likelihood), so
 * only σ² and the likelihood are checked there (rds: ours is 0.72 lower, held to 1).
 * The constants are not compared: with AR(1) near 1 they move freely along the likelihood ridge
 * (the forecast test above bounds their effect).
 */
const NOT_IDENTIFIED = ['ec2_cpu_utilization_24ae8d.csv 2,0,1', OUTLIER];

describe(`ARIMA coefficients equal statsmodels ${GOLDEN.statsmodels}`, () => {
  for (const [file, fits] of Object.entries(GOLDEN.series)) {
    it(file, async () => {
      const y = Float64Array.from(nabSeries(file).y.slice(0, GOLDEN.n_train));
      for (const f of fits.filter((x) => x.converged)) {
        const key = `${file} ${f.order.join(',')}`;
        const { coef } = await runArima({ y, p: f.order[0], d: f.order[1], q: f.order[2], D: 0, s: 0, h: 1 });
        expect(coef, 'coefficients read from the wasm heap').toBeDefined();
        const c = coef!;
        expect(Math.abs(c.sigma2 / f.sigma2 - 1), `${key} σ²`).toBeLessThanOrEqual(0.001);
        expect(c.loglik, `${key} log-likelihood`).toBeGreaterThanOrEqual(f.llf - (key === OUTLIER ? 1 : 0.01));
        if (NOT_IDENTIFIED.includes(key)) continue;
        const p = f.params;
        c.phi.forEach((v, i) =>
          expect(Math.abs(v - p[`ar.L${i + 1}`]!), `${key} ar.L${i + 1}`).toBeLessThanOrEqual(0.005),
        );
        c.theta.forEach((v, i) =>
          expect(Math.abs(-v - p[`ma.L${i + 1}`]!), `${key} ma.L${i + 1}`).toBeLessThanOrEqual(0.005),
        );
        expect(c.phi).toHaveLength(f.order[0]);
        expect(c.theta).toHaveLength(f.order[2]);
      }
    });
  }
});
