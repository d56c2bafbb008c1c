#!/usr/bin/env node
// The backtest that decides (issue 14; the rules and protocol: docs/RECOMMENDATIONS.md, fixed before
// the first run). In one run: the embedded sample (7 days, the last 2 held out) scored on its measured
// usage and, for the application container and pod levels, on the simulator's ground truth; and the six
// NAB CPU series (5-minute data, the last 2 days held out). Ours (constant and hourly), KRR-simple and
// VPA-style, each at its defaults and swept; the goal checked per series and for the fleet.
//   node bench/recommend.mjs   (after make build)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MemoryLogger, silentProgress } from '@amf-foresight/core';
import { forecastJob, runFleet } from '@amf-foresight/orchestrator';
import { RECOMMEND_LEVELS, backtestRecommendations, quantileForecast } from '@amf-foresight/recommend';
import { localSource } from '@amf-foresight/tsdb-ingest/reader';
import { stopArimaWorker } from '@amf-foresight/models-arima';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DAY = 86_400_000;
const MIN = 60_000;
const ctx = { logger: new MemoryLogger(), progress: silentProgress, signal: new AbortController().signal };

/** The simulator's ground truth as per-pod minute grids, by (workload, level, metric). */
function groundTruth(start, end) {
  const rows = gunzipSync(readFileSync(join(root, 'packages/cli/sample-data/ground-truth.csv.gz')))
    .toString()
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const n = Math.round((end - start) / MIN) + 1;
  const grids = new Map();
  for (const r of rows) {
    const t = Date.parse(r[0]);
    const i = Math.round((t - start) / MIN);
    if (i < 0 || i >= n || r[1] !== 'openverso') continue;
    const cells = {
      'amf cpu': +r[4],
      'upperlimit cpu': +r[5],
      'amf memory': +r[6] / 1048576,
      'upperlimit memory': +r[7] / 1048576,
    };
    for (const [k, v] of Object.entries(cells)) {
      const key = `open5gs-${r[3]} ${k}`;
      const g = grids.get(key) ?? new Map();
      const row = g.get(r[2]) ?? new Float64Array(n).fill(NaN);
      row[i] = v;
      g.set(r[2], row);
      grids.set(key, g);
    }
  }
  return (k) => {
    const g = grids.get(`${k.workload} ${k.level} ${k.metric}`);
    return g && { start, stepMs: MIN, pods: [...g].map(([name, values]) => ({ name, values })) };
  };
}

const pct = (v) => `${(100 * v).toFixed(2)} %`;
const fmt = (v, d = 3) => (Number.isFinite(v) ? v.toPrecision(d) : '—');

function line(name, metric, b) {
  const cells = b.methods.map((m) => {
    const v = metric === 'cpu' ? pct(m.violation) : String(m.violation);
    return `${m.method} ${v} / ${fmt(m.score.meanSlack)}`;
  });
  const g = (c) =>
    (c.reached ? 'reached' : 'not reached') +
    ` (${fmt(100 * c.slackReduction, 3)} % less slack at ≤ ${b.better}'s violations)`;
  return `${name.padEnd(34)} ${cells.join(' | ')}\n${''.padEnd(34)} better baseline ${b.better}; constant: ${g(b.goal.ours)}; hourly: ${g(b.goal['ours-schedule'])}`;
}

async function sample(truth) {
  const start = Date.UTC(2023, 5, 5);
  const end = Date.UTC(2023, 5, 12) - MIN;
  const s = await localSource({
    dataDir: join(root, 'packages/cli/sample-data/blocks'),
    start,
    end,
    readBefore: 5 * MIN,
  }).run(undefined, ctx);
  const f = await runFleet(
    s,
    {
      holdoutMs: 2 * DAY,
      ...(truth ? { holdoutUsage: groundTruth(end - 2 * DAY + MIN, end), levels: ['amf', 'upperlimit'] } : {}),
    },
    ctx,
  );
  return f.entries.map((e) => ({
    name: `${e.nf} ${e.level} ${e.metric}`,
    metric: e.metric,
    b: e.backtest,
    replicas: e.replicas,
  }));
}

async function nab() {
  const dir = join(root, 'data/nab-cpu');
  const out = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const y = readFileSync(join(dir, file), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]));
    const step = 5 * MIN;
    const n = y.length;
    const cut = n - 576;
    const grid = (a, b) => ({
      start: a * step,
      stepMs: step,
      pods: [{ name: file, values: Float64Array.from(y.slice(a, b)) }],
    });
    const f = await forecastJob({
      ds: Float64Array.from({ length: cut }, (_, i) => i * step),
      y: Float64Array.from(y.slice(0, cut)),
      model: 'AUTO',
      horizon: 576,
      levels: [...RECOMMEND_LEVELS],
    });
    const q = quantileForecast({
      ds: Float64Array.from(f.ds),
      mean: Float64Array.from(f.mean),
      intervals: Object.fromEntries(
        Object.entries(f.intervals).map(([l, v]) => [l, { lo: Float64Array.from(v.lo), hi: Float64Array.from(v.hi) }]),
      ),
    });
    const b = backtestRecommendations({
      metric: 'cpu',
      history: grid(0, cut),
      holdout: grid(cut, n),
      forecast: q,
      blockSteps: 1,
    });
    out.push({ name: file.replace('.csv', ''), metric: 'cpu', b, replicas: 1 });
  }
  return out;
}

function summary(title, rows) {
  console.log(
    `\n== ${title}: violations (CPU: % of minutes above the request; memory: minutes above the limit) / mean slack, at defaults`,
  );
  for (const r of rows) console.log(line(r.name, r.metric, r.b));
  const reached = (k) => rows.filter((r) => r.b.goal[k].reached).length;
  console.log(
    `-- goal reached in ${reached('ours')} of ${rows.length} series with constant requests, ${reached('ours-schedule')} with the hourly schedule`,
  );
  for (const metric of ['cpu', 'memory']) {
    const rs = rows.filter((r) => r.metric === metric);
    if (rs.length === 0) continue;
    const total = (method, pick) =>
      rs.reduce((a, r) => a + pick(r.b.methods.find((m) => m.method === method)) * r.replicas, 0);
    const parts = ['ours', 'ours-schedule', 'krr-simple', 'vpa-style'].map(
      (m) =>
        `${m} violations ${metric === 'cpu' ? pct(total(m, (x) => x.score.aboveRequest) / rs.length) : total(m, (x) => x.score.overLimit)}, slack ${fmt(total(m, (x) => x.score.meanSlack))}`,
    );
    console.log(`-- fleet ${metric} (${rs.length} series): ${parts.join('; ')}`);
  }
}

const t0 = performance.now();
summary(
  'sample, measured usage (7 days, the last 2 held out)',
  (await sample(false)).filter((r) => r.b),
);
summary(
  'sample, the simulator’s ground truth (container and pod levels)',
  (await sample(true)).filter((r) => r.b),
);
summary('NAB CPU (the last 2 days of 14 held out)', await nab());
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
await stopArimaWorker();
