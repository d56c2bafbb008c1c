// The tables and goals of bench/models.mjs.
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const mean = (xs) => sum(xs) / xs.length;
const pct = (x) => `${(100 * x).toFixed(1)}`.padStart(5);
const f3 = (x, w = 7) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a').padStart(w);

/** Pooled figures of a list of forecast scores (one series or several). */
export function pooled(scores) {
  const n = sum(scores.map((s) => s.n));
  const out = {
    mase: mean(scores.map((s) => s.absErr)),
    rmse: Math.sqrt(sum(scores.flatMap((s) => s.sq)) / n),
    seconds: mean(scores.map((s) => s.seconds)),
    negatives: sum(scores.map((s) => s.negatives)),
    unnested: sum(scores.map((s) => s.unnested)),
  };
  for (const l of [80, 90, 95]) {
    out[`cov${l}`] = sum(scores.map((s) => s[`cov${l}`])) / n;
    out[`is${l}`] = sum(scores.map((s) => s[`is${l}`])) / n;
  }
  return out;
}

/** Per model over `names`: mean of the per-series figures (RMSE, coverage per series, then averaged). */
function perSeriesMean(bySeries, names) {
  const per = names.filter((n) => bySeries[n]?.length).map((n) => pooled(bySeries[n]));
  const keys = Object.keys(per[0] ?? {});
  return Object.fromEntries(
    keys.map((k) => [
      k,
      k === 'negatives' || k === 'unnested' ? sum(per.map((p) => p[k])) : mean(per.map((p) => p[k])),
    ]),
  );
}

function modelTable(title, rows) {
  console.log(`\n${title}`);
  console.log(
    'model       MASE    RMSE   cov80  cov90  cov95   IS80    IS90    IS95   fit s  negatives  80<90<95 fails',
  );
  for (const [name, p] of rows)
    console.log(
      `${name.padEnd(9)} ${f3(p.mase)} ${f3(p.rmse)}  ${pct(p.cov80)}  ${pct(p.cov90)}  ${pct(p.cov95)} ${f3(p.is80)} ${f3(p.is90)} ${f3(p.is95)} ${f3(p.seconds)}  ${String(p.negatives).padStart(9)}  ${String(p.unnested).padStart(5)}`,
    );
}

function seriesTable(h, sets, ours, proto) {
  console.log(`\nh = ${h}, per series: auto against the prototype's ARIMA grid chosen by AIC`);
  console.log(
    'series                          RMSE auto  proto  ratio   cov80  cov90  cov95 (auto)  cov90 proto   IS90 auto  proto',
  );
  const ratios = [];
  for (const s of sets) {
    const a = pooled(ours[h].AUTO[s.name]);
    const p = pooled(proto[h][s.name]);
    ratios.push({ name: s.name, group: s.group, ratio: a.rmse / p.rmse, a });
    console.log(
      `${s.name.padEnd(30)} ${f3(a.rmse, 9)} ${f3(p.rmse)} ${f3(a.rmse / p.rmse, 6)}   ${pct(a.cov80)}  ${pct(a.cov90)}  ${pct(a.cov95)}        ${pct(p.cov90)}     ${f3(a.is90, 9)} ${f3(p.is90)}`,
    );
  }
  return ratios;
}

function goals(h, ratios, ours, proto, names, models) {
  const nab = ratios.filter((r) => r.group === 'nab');
  const auto = perSeriesMean(ours[h].AUTO, names);
  const pr = perSeriesMean(proto[h], names);
  const target = h >= 288 ? 0.9 : 0.95;
  const ratio = auto.rmse / pr.rmse;
  const worst = Math.max(...nab.map((r) => r.ratio));
  const say = (ok) => (ok ? 'reached' : 'NOT reached');
  console.log(`\ngoals at h = ${h} (six NAB series):`);
  console.log(
    `  auto RMSE ÷ prototype (mean of per-series RMSEs) ${ratio.toFixed(3)} ≤ ${target}: ${say(ratio <= target)}`,
  );
  console.log(`  no series worse than 1.05×: worst ${worst.toFixed(3)}: ${say(worst <= 1.05)}`);
  const cov = nab.map((r) => r.a.cov90);
  console.log(
    `  90 % coverage 85–95 % on every series: ${cov.map((c) => pct(c).trim()).join(', ')} %: ${say(cov.every((c) => c >= 0.85 && c <= 0.95))}`,
  );
  const within = nab.every((r) => Math.abs(r.a.cov80 - 0.8) <= 0.05 && Math.abs(r.a.cov95 - 0.95) <= 0.05);
  console.log(`  80 % and 95 % each within ±5 points on every series: ${say(within)}`);
  const neg = models.reduce((c, m) => c + perSeriesMean(ours[h][m], names).negatives, 0);
  console.log(`  no negative value in any mean or bound (every model): ${neg} negative values: ${say(neg === 0)}`);
  const arima = perSeriesMean(ours[h].ARIMA, names).seconds;
  console.log(`  auto ≤ 3× ARIMA's time: ${(auto.seconds / arima).toFixed(2)}×: ${say(auto.seconds <= 3 * arima)}`);
}

function protocol(h, ours, proto, choosing, names) {
  const groups = { choosing: names.filter((n) => choosing.has(n)), confirming: names.filter((n) => !choosing.has(n)) };
  for (const [g, ns] of Object.entries(groups)) {
    const p = perSeriesMean(proto[h], ns).rmse;
    const line = ['AUTO', 'SELECT'].map((m) => {
      const x = perSeriesMean(ours[h][m], ns);
      return `${m === 'AUTO' ? 'combination' : 'selection'} RMSE ÷ prototype ${(x.rmse / p).toFixed(3)}, cov90 ${pct(x.cov90).trim()} %, IS90 ${x.is90.toFixed(3)}`;
    });
    console.log(`  h = ${h}, ${g} series (${ns.length}): ${line.join('; ')}`);
  }
}

export function report({ sets, ours, proto, models, horizons, choosing, lstmOrigins }) {
  const nab = sets.filter((s) => s.group === 'nab').map((s) => s.name);
  const sample = sets.filter((s) => s.group === 'sample').map((s) => s.name);
  for (const h of horizons) {
    const rows = (names) => [
      ...models.map((m) => [m, perSeriesMean(ours[h][m], names)]),
      ['PROTO-AIC', perSeriesMean(proto[h], names)],
    ];
    modelTable(
      `h = ${h}, six NAB series × 8 origins (mean of per-series figures; MASE and IS scaled by the seasonal naive MAE)`,
      rows(nab),
    );
    if (sample.length)
      for (const s of sample) modelTable(`h = ${h}, ${s} against the ground truth, 8 origins`, rows([s]));
    const ratios = seriesTable(h, sets, ours, proto);
    goals(
      h,
      ratios,
      ours,
      proto,
      nab,
      models.filter((m) => m !== 'SELECT'),
    );
  }
  console.log(
    '\nprotocol (decided before measuring): combination vs selection, chosen on the first three NAB series, confirmed on the rest',
  );
  if (models.includes('SELECT')) for (const h of horizons) protocol(h, ours, proto, choosing, nab);
  console.log(
    `\nLSTM: first ${lstmOrigins} origin(s) of each series only (the wasm backend takes ~14 s a fit). SELECT: the former auto (backtest SNAIVE, MSTL, ARIMA; pick; conformal from 7 windows).`,
  );
  console.log(
    'Intervals: ARIMA, THETA, SNAIVE and auto conformal on a day of rolling origins; MSTL, PROPHET, LSTM their own (train calibrates those on the backtest). Fit s: mean per forecast, fit + calibration + predict.',
  );
}
