/**
 * KPSS test of level stationarity (Kwiatkowski et al. 1992), with the Bartlett-kernel long-run
 * variance and lag ⌊4·(n/100)^(1/4)⌋ (the "short" lag rule). Returns the statistic; above
 * 0.463 rejects stationarity at 5 %.
 */
export function kpss(y: ArrayLike<number>): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = y[i]! - mean;
  let s = 0;
  let eta = 0;
  for (let i = 0; i < n; i++) {
    s += e[i]!;
    eta += s * s;
  }
  eta /= n * n;
  const lags = Math.floor(4 * (n / 100) ** 0.25);
  let lrv = 0;
  for (let i = 0; i < n; i++) lrv += e[i]! * e[i]!;
  for (let l = 1; l <= lags; l++) {
    let g = 0;
    for (let i = l; i < n; i++) g += e[i]! * e[i - l]!;
    lrv += 2 * (1 - l / (lags + 1)) * g;
  }
  lrv /= n;
  return lrv > 0 ? eta / lrv : 0;
}

export const KPSS_CRITICAL_5 = 0.463;
