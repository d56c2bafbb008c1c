#!/usr/bin/env node
// LSTM fit time and accuracy, the former defaults against the current ones in one run (issue 17).
// Six NAB CPU series (5-minute steps); per series the first origin of bench/models.mjs's protocol,
// o = n − 864 (≈ 3 170 training points), h = 12 and 288; same seeds for both versions. The former
// defaults are the current code with the parameter they had: hardSigmoid gates, which also trains through
// tfjs-layers' fit as before (sigmoid gates train in the fused step of src/fused.ts, on all cores). Also the
// current defaults on one thread (what the helper threads add), then on every backend this machine has
// (tfjs-node after tools/tfjs-node/install.sh).
//   node bench/lstm.mjs   (after make build)
import { mae } from '@amf-foresight/core';
import { maseScale } from '@amf-foresight/orchestrator';
import { Lstm } from '@amf-foresight/models-lstm';
import { nabSeries } from './lib/nab.mjs';

const VERSIONS = { former: { recurrentActivation: 'hardSigmoid' }, current: {}, oneThread: { threads: 1 } };
const GOAL = 5;

async function fitScore(y, h, params) {
  const o = y.length - 864;
  const train = { ds: y.slice(0, o).map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000), y: y.slice(0, o) };
  const t0 = performance.now();
  const m = await new Lstm({ maxHorizon: h, seed: 1, ...params }).fit(train);
  const seconds = (performance.now() - t0) / 1000;
  const f = m.predict(h).mean;
  return { seconds, mase: mae(y.slice(o, o + h), Array.from(f)) / maseScale(train.y, 288).scale, points: o };
}

const series = nabSeries();
const rows = [];
for (const h of [12, 288])
  for (const s of series) {
    const r = {};
    for (const [v, p] of Object.entries(VERSIONS)) r[v] = await fitScore(s.y, h, { backend: 'wasm', ...p });
    rows.push({ h, name: s.name, ...r });
    console.log(
      `h=${String(h).padStart(3)} ${s.name.padEnd(28)} ${r.former.points} points  fit ${r.former.seconds.toFixed(1)} s → ` +
        `${r.current.seconds.toFixed(1)} s (×${(r.former.seconds / r.current.seconds).toFixed(2)})  MASE ` +
        `${r.former.mase.toFixed(3)} → ${r.current.mase.toFixed(3)}  (1 thread: ${r.oneThread.seconds.toFixed(1)} s)`,
    );
  }
const sum = (k, v) => rows.reduce((a, r) => a + r[v][k], 0);
const speed = sum('seconds', 'former') / sum('seconds', 'current');
const [mOld, mNew] = ['former', 'current'].map((v) => sum('mase', v) / rows.length);
console.log(
  `\nwasm, 2 cores: total fit ${sum('seconds', 'former').toFixed(1)} s → ${sum('seconds', 'current').toFixed(1)} s`,
);
console.log(`speed-up ×${speed.toFixed(2)} (goal ×${GOAL}: ${speed >= GOAL ? 'reached' : 'NOT reached'})`);
const one = sum('seconds', 'oneThread');
const same = rows.every((r) => r.oneThread.mase === r.current.mase);
console.log(
  `on one thread: ${one.toFixed(1)} s, ×${(sum('seconds', 'former') / one).toFixed(2)}; ` +
    `MASE ${same ? 'identical to' : 'DIFFERENT from'} the threaded fits`,
);
console.log(
  `mean MASE ${mOld.toFixed(3)} → ${mNew.toFixed(3)} (goal no worse: ${mNew <= mOld ? 'reached' : 'NOT reached'})`,
);

// The current defaults on each backend, one series, h = 12.
const first = series[0];
for (const backend of ['wasm', 'tensorflow', 'cpu']) {
  try {
    const r = await fitScore(first.y, 12, { backend });
    console.log(
      `backend ${backend.padEnd(10)} ${first.name}: fit ${r.seconds.toFixed(1)} s, MASE ${r.mase.toFixed(3)}`,
    );
  } catch (e) {
    console.log(`backend ${backend.padEnd(10)} not available: ${e.message}`);
  }
}
