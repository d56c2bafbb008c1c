/**
 * Forecasts past the horizon computed at fit time, from the model's state (exact for ARIMA):
 * with P(B) = φ(B)(1−B)^d(1−B^s)^D = 1 − Σ A_k B^k, the mean follows m_h = Σ A_k m_{h−k} + c once
 * h > q (the MA terms have no more innovations to act on), and the forecast-error variance grows by
 * σ²ψ_{h−1}² per step, ψ the weights of θ(B)/P(B).
 */
export interface ArimaPath {
  /** AR coefficients φ (y_t = Σ φ_k y_{t−k} + …, statsmodels' sign). */
  phi: number[];
  /** MA coefficients as the package holds them (the sign is found against the stored variances). */
  theta: number[];
  d: number;
  /** Seasonal differencing period, 0 for none. */
  s: number;
  /** The last observed values (at least the degree of P). */
  tail: number[];
  mean: number[];
  variance: number[];
}

/** The coefficients A_k of P(B) = 1 − Σ A_k B^k, k = 1…degree. */
export function arPolynomial(phi: number[], d: number, s: number): number[] {
  let p = [1, ...phi.map((x) => -x)];
  const mul = (a: number[], b: number[]) => {
    const out = new Array<number>(a.length + b.length - 1).fill(0);
    a.forEach((x, i) => b.forEach((y, j) => (out[i + j]! += x * y)));
    return out;
  };
  for (let i = 0; i < d; i++) p = mul(p, [1, -1]);
  if (s > 0) p = mul(p, [1, ...new Array<number>(s - 1).fill(0), -1]);
  return p.slice(1).map((x) => -x);
}

/** ψ weights ψ_0…ψ_{n−1} of θ(B)/P(B) with MA coefficients `theta` (θ(B) = 1 + Σ θ_j B^j). */
export function psiWeights(A: number[], theta: number[], n: number): number[] {
  const psi = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    let v = j === 0 ? 1 : (theta[j - 1] ?? 0);
    for (let k = 1; k <= Math.min(j, A.length); k++) v += A[k - 1]! * psi[j - k]!;
    psi[j] = v;
  }
  return psi;
}

function variancesFrom(psi: number[], sigma2: number): number[] {
  let acc = 0;
  return psi.map((w) => (acc += sigma2 * w * w));
}

/** The MA sign whose variances match the stored ones (ctsa's MA sign is the opposite of statsmodels'). */
function maSign(A: number[], theta: number[], variance: number[]): number {
  if (theta.length === 0 || variance.length < 2) return 1;
  const err = (sign: number) =>
    variancesFrom(
      psiWeights(
        A,
        theta.map((t) => sign * t),
        variance.length,
      ),
      variance[0]!,
    ).reduce((e, v, i) => e + Math.abs(v - variance[i]!), 0);
  return err(1) <= err(-1) ? 1 : -1;
}

/**
 * The model as one recursion on the observed scale, y_t = Σ A_k y_{t−k} + c + e_t + Σ θ_j e_{t−j}:
 * A from φ and the differencing, θ in statsmodels' sign, and the constant c read off the stored
 * path (past step q the mean follows the AR part alone, so m_H − Σ A_k m_{H−k} is c).
 */
function recursion(p: ArimaPath): { A: number[]; c: number; theta: number[] } {
  const A = arPolynomial(p.phi, p.d, p.s);
  const path = [...p.tail, ...p.mean];
  const H = p.mean.length;
  const at = (h1: number) => path[p.tail.length + h1 - 1]!;
  const c = at(H) - A.reduce((s, a, k) => s + a * at(H - k - 1), 0);
  const sign = maSign(A, p.theta, p.variance);
  return { A, c, theta: p.theta.map((t) => sign * t) };
}

/**
 * Means of h-step forecasts from each origin of y with the fitted coefficients: innovations by the
 * conditional-sum-of-squares filter (zero before the first full lag), forecasts by the recursion
 * with future innovations zero. At the end of the fitted data it matches the exact (Kalman) forecast
 * once the start-up has died out, which invertible MA parts ensure.
 */
export function rollingPath(p: ArimaPath, y: Float64Array, origins: readonly number[], h: number): Float64Array[] {
  const { A, c, theta } = recursion(p);
  const P = A.length;
  const e = new Float64Array(y.length);
  for (let t = P; t < y.length; t++) {
    let v = y[t]! - c;
    for (let k = 0; k < P; k++) v -= A[k]! * y[t - k - 1]!;
    for (let j = 0; j < theta.length && t - j - 1 >= 0; j++) v -= theta[j]! * e[t - j - 1]!;
    e[t] = v;
  }
  return origins.map((o) => {
    const f = new Float64Array(h);
    const at = (t: number) => (t < o ? y[t]! : f[t - o]!);
    for (let i = 0; i < h; i++) {
      let v = c;
      for (let k = 0; k < P; k++) v += o + i - k - 1 >= 0 ? A[k]! * at(o + i - k - 1) : 0;
      for (let j = i; j < theta.length; j++) v += o + i - j - 1 >= 0 ? theta[j]! * e[o + i - j - 1]! : 0;
      f[i] = v;
    }
    return f;
  });
}

/** Mean and variance for steps 1…h, continuing the stored path past its end. */
export function extendPath(p: ArimaPath, h: number): { mean: number[]; variance: number[] } {
  const H = p.mean.length;
  if (h <= H) return { mean: p.mean.slice(0, h), variance: p.variance.slice(0, h) };
  const { A, c, theta } = recursion(p);
  // m_j for j ≤ 0 are observed values, for 1 ≤ j ≤ H the stored forecasts.
  const path = [...p.tail, ...p.mean];
  const at = (h1: number) => path[p.tail.length + h1 - 1]!;
  const ar = (h1: number) => A.reduce((s, a, k) => s + a * at(h1 - k - 1), 0);
  for (let j = H + 1; j <= h; j++) path.push(ar(j) + c);
  const psi = psiWeights(A, theta, h);
  const variance = p.variance.slice();
  for (let j = H; j < h; j++) variance.push(variance[j - 1]! + p.variance[0]! * psi[j]! ** 2);
  return { mean: path.slice(p.tail.length, p.tail.length + h), variance };
}
