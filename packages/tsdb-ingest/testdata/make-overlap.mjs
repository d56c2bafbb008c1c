#!/usr/bin/env node
// OpenMetrics for a second backfill into the same directory as make-openmetrics.mjs's:
// the same demo_requests series at timestamps offset by 5 s, so the new blocks overlap the
// old ones in time with no duplicate timestamps (docs/TSDB_FORMAT.md §10), plus a series only here.
import { writeFileSync } from 'node:fs';

const T0 = 1_700_000_000_000;
const lines = ['# HELP demo_requests Requests served.', '# TYPE demo_requests counter'];
for (let i = 0; i < 600; i++) {
  const t = T0 + 5_000 + i * 15_000;
  lines.push(`demo_requests_total{instance="a",job="demo"} ${1000 + i * 2.5} ${t / 1000}`);
}
lines.push('# HELP demo_only_here A series only in the overlapping blocks.', '# TYPE demo_only_here gauge');
for (let i = 0; i < 100; i++) lines.push(`demo_only_here{job="demo"} ${i} ${(T0 + 3_600_000 + i * 60_000) / 1000}`);
lines.push('# EOF');
writeFileSync(process.argv[2], lines.join('\n') + '\n');
