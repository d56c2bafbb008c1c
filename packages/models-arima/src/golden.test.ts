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
          expect(Math.abs(r.mean[i]! - f.mean[i]!) / sd, `${f.order} h=${i + 1}`).toBeLessThanOrEqual(tol);
          expect(Math.abs(r.variance[i]! / f.var[i]! - 1), `${f.order} h=${i + 1} variance`).toBeLessThanOrEqual(0.01);
        }
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(4);
    });
  }
});
