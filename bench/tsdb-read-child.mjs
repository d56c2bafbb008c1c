// One measurement of the TypeScript reader in a fresh process: readSamples over a data
// directory into Arrow columns. Prints JSON: samples, per-run seconds, peak RSS.
import { readSamples } from '@amf-foresight/tsdb-ingest';

const dir = process.argv[2];
const repeat = Number(process.argv[3] ?? 1);
const runs = [];
let samples = 0;
for (let k = 0; k < repeat; k++) {
  const t0 = performance.now();
  const r = await readSamples(dir);
  runs.push((performance.now() - t0) / 1000);
  samples = r.samples.numRows;
}
console.log(JSON.stringify({ samples, runs, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
