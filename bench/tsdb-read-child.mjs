// One measurement of the TypeScript reader in a fresh process: readSamples over a data
// directory into Arrow columns. Prints JSON: samples, per-run seconds, peak RSS.
// The reader entry alone: the package root would also load the S3 SDK and Parquet, which a read does not use.
import { readSamples } from '@amf-foresight/tsdb-ingest/reader';

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
