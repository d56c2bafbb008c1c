#!/usr/bin/env node
// Makes vpa.json: usage histories replayed through the Kubernetes VPA recommender's own Go code
// (tools/vpa-oracle, k8s.io/autoscaler/vertical-pod-autoscaler v1.8.1, default config), the inputs
// beside the outputs. vpa.test.ts checks vpaStyle against them. Run by `make golden`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MIN = 60_000;
const DAY = 1440;
const start = Date.UTC(2023, 5, 5);
let seed = 7;
const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const round = (v) => (v === null ? null : Number(v.toFixed(6)));
/** n minutes of `f(i)`, null outside [from, to). */
const pod = (n, f, from = 0, to = n) => Array.from({ length: n }, (_, i) => (i >= from && i < to ? round(f(i)) : null));
const cpu = (i) => 0.05 + 0.2 * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / DAY)) + 0.03 * rand();
const mem = (base) => (i) => base + (2.5 * i) / DAY + 12 * ((i % 37) / 37) + rand();

const cases = [
  { name: 'cpu, one pod, 3 days', metric: 'cpu', pods: [pod(3 * DAY, cpu)] },
  { name: 'cpu, a restart, 2 days', metric: 'cpu', pods: [pod(2 * DAY, cpu, 0, DAY), pod(2 * DAY, cpu, DAY + 1)] },
  { name: 'cpu, 3 replicas, 1 day', metric: 'cpu', pods: [0, 1, 2].map(() => pod(DAY, cpu)) },
  { name: 'cpu, 6 hours, tiny', metric: 'cpu', pods: [pod(360, () => 0.004 + 0.002 * rand())] },
  { name: 'memory, growing, 10 days', metric: 'memory', pods: [pod(10 * DAY, mem(300))] },
  {
    name: 'memory, a restart, 3 days',
    metric: 'memory',
    pods: [pod(3 * DAY, mem(400), 0, 2 * DAY), pod(3 * DAY, mem(320), 2 * DAY + 1)],
  },
  { name: 'memory, small, 2 days', metric: 'memory', pods: [pod(2 * DAY, mem(40))] },
].map((c) => ({ ...c, start, stepMs: MIN }));

const out = execFileSync('go', ['run', '.'], {
  cwd: join(here, '../../../tools/vpa-oracle'),
  input: JSON.stringify({ cases }),
  maxBuffer: 1 << 28,
  encoding: 'utf8',
});
const results = JSON.parse(out).cases;
writeFileSync(
  join(here, 'vpa.json'),
  JSON.stringify({ oracle: 'k8s.io/autoscaler/vertical-pod-autoscaler v1.8.1', cases, results }) + '\n',
);
console.log(results);
