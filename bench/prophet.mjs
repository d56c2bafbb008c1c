#!/usr/bin/env node
// Our Prophet against Python Prophet 1.3.0 on the same data, same run: fit + predict on the six NAB
// series (first 3 225 points, h = 12), one warm-up fit on each side, with the largest relative
// difference of the forecasts. `node bench/prophet.mjs` after make build (prophet from .venv-test).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeModel } from '@amf-foresight/orchestrator';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NAB = join(root, 'data', 'nab-cpu');
const H = 12;
const FIRST = 3225;
const files = readdirSync(NAB)
  .filter((f) => f.endsWith('.csv'))
  .sort();
const py = join(root, '.venv-test', 'bin', 'python');
const pjob = { h: H, step_ms: 300_000, series: {} };
for (const f of files) {
  const y = readFileSync(join(NAB, f), 'utf8')
    .trim()
    .split('\n')
    .slice(1, FIRST + 1)
    .map((l) => Number(l.split(',')[1]));
  pjob.series[f] = { ds: y.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000), y };
}
let pyProphet;

try {
  pyProphet = JSON.parse(
    execFileSync(py, [join(root, 'bench', 'prophet_python.py')], {
      input: JSON.stringify(pjob),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['pipe', 'pipe', 'ignore'],
    }),
  );
} catch (e) {
  console.log(`Prophet comparison skipped: ${e.message.split('\n')[0]} (pip install prophet==1.3.0 into .venv-test)`);
}
if (pyProphet) {
  await (
    await makeModel('PROPHET')
  ).fit({
    ds: pjob.series[files[0]].ds.slice(0, 200),
    y: pjob.series[files[0]].y.slice(0, 200),
  }); // warm-up, as on the Python side
  let ours = 0;
  let theirs = 0;
  let maxDev = 0;
  console.log('\nProphet fit + predict, first origin (3 225 points), h = 12:');
  for (const f of files) {
    const t0 = performance.now();
    const fc = (await (await makeModel('PROPHET')).fit(pjob.series[f])).predict(H);
    const s = (performance.now() - t0) / 1000;
    ours += s;
    theirs += pyProphet[f].seconds;
    const dev = Math.max(...fc.mean.map((v, i) => Math.abs(v - pyProphet[f].yhat[i]) / Math.abs(pyProphet[f].yhat[i])));
    maxDev = Math.max(maxDev, dev);
    console.log(
      `  ${f.padEnd(34)} ours ${s.toFixed(2)} s, Python ${pyProphet[f].seconds.toFixed(2)} s, forecasts differ by ≤ ${(100 * dev).toFixed(2)} %`,
    );
  }
  console.log(
    `  total: ours ${ours.toFixed(2)} s, Python Prophet ${theirs.toFixed(2)} s → ours/Python ${(ours / theirs).toFixed(2)} (goal ≤ 1); forecasts within ${(100 * maxDev).toFixed(2)} %`,
  );
}
