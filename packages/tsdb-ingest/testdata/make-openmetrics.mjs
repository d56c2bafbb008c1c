#!/usr/bin/env node
// Writes the OpenMetrics text that make-fixtures.sh turns into blocks with
// `promtool tsdb create-blocks-from openmetrics`. Deterministic: same bytes on every run.
//
// Every timestamp is an exact decimal number of milliseconds (promtool truncates
// int64(seconds*1000), so fractional seconds that are not exact could land 1 ms early).
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
if (!out) {
  console.error('usage: make-openmetrics.mjs OUT.om');
  process.exit(2);
}

// Small deterministic PRNG (mulberry32) so the file never changes between runs.
let seed = 0x5eed1234;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const T0 = 1_700_000_000_000; // ms, 2023-11-14T22:13:20Z
const HOUR = 3_600_000;
const lines = [];
const ts = (ms) => {
  const s = Math.floor(ms / 1000);
  const r = ms - s * 1000;
  return r === 0 ? `${s}` : `${s}.${String(r).padStart(3, '0')}`;
};
const fmt = (v) => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0.0';
  return String(v);
};
function family(name, type, help, series) {
  lines.push(`# HELP ${name} ${help}`);
  lines.push(`# TYPE ${name} ${type}`);
  const sampleName = type === 'counter' ? `${name}_total` : name;
  for (const { labels, samples } of series) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    for (const [t, v] of samples) lines.push(`${sampleName}{${l}} ${fmt(v)} ${ts(t)}`);
  }
}

// 1. A counter with irregular increments and two resets, 15 s scrapes, 7 h: four 2 h blocks.
{
  const samples = [];
  let v = 0;
  for (let t = T0; t < T0 + 7 * HOUR; t += 15_000) {
    v += Math.floor(rand() * 50) / 4;
    if (t === T0 + 2 * HOUR + 300_000 || t === T0 + 5 * HOUR + 15_000) v = rand();
    samples.push([t, v]);
  }
  family('demo_requests', 'counter', 'Requests served.', [
    { labels: { job: 'demo', instance: 'a' }, samples },
  ]);
}

// 2. A counter with ms jitter and gaps of every delta-of-delta width: 0, ±jitter (14 bit),
//    60 s (17 bit), 5 min (20 bit), 11 min (64 bit), and a 3 h hole that skips a block.
{
  const samples = [];
  let v = 1e6;
  let t = T0 + 7;
  const gaps = new Map([
    [40, 60_000],
    [80, 300_000],
    [120, 660_000],
    [160, 600_001],
    [200, 3 * HOUR],
    [260, 45_000],
  ]);
  for (let i = 0; i < 420; i++) {
    samples.push([t, v]);
    v += 0.1 + Math.floor(rand() * 1000) / 1000;
    const jitter = i % 7 === 3 ? Math.floor(rand() * 81) - 40 : 0;
    t += (gaps.get(i) ?? 15_000) + jitter;
  }
  family('demo_cpu_seconds', 'counter', 'CPU seconds.', [
    { labels: { job: 'demo', instance: 'b', mode: 'user' }, samples },
  ]);
}

// 3. A gauge with special values: NaN, ±Inf, −0, 1e−300, denormals, full-mantissa noise,
//    and values that exercise Go's %g (exponent form below 1e−4 and from 1e+21 / 1e+06).
{
  const specials = [
    NaN, Infinity, -Infinity, -0, 0, 1e-300, 5e-324, 2.2250738585072014e-308, 1e6, 1e-5,
    1.000017e6, 123456789, 123456.7, 100000, 0.0001, -2.5e-7, 9007199254740992, 1e21,
    1.7976931348623157e308, -1.5, 0.1, 1 / 3, Math.PI, -123.456, 42,
  ];
  const samples = [];
  let t = T0;
  for (let i = 0; i < 600; i++) {
    const v = i < specials.length * 4 ? specials[i % specials.length] : (rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 15);
    samples.push([t, v]);
    t += 30_000;
  }
  family('demo_temperature', 'gauge', 'A gauge with edge values.', [
    { labels: { job: 'demo', instance: 'a', sensor: 'edge' }, samples },
  ]);
}

// 4. A gauge with long constant runs and 60 s / 5 min / 11 min gaps; a label value with
//    UTF-8 and escaped characters; an upper-case label name (sorts before __name__).
{
  const samples = [];
  let t = T0 + 1_000;
  let v = 512;
  for (let i = 0; i < 700; i++) {
    samples.push([t, v]);
    if (i % 150 === 149) v = v * 2 + 0.5;
    t += i === 100 ? 60_000 : i === 300 ? 300_000 : i === 500 ? 660_000 : 15_000;
  }
  family('demo_memory_bytes', 'gauge', 'Constant runs.', [
    { labels: { A: 'upper', job: 'demo', room: 'café \\"quoted\\" \\\\ back\\nslash ☃ 𝄞' }, samples },
    { labels: { job: 'demo', room: 'plain' }, samples: samples.map(([t2, v2]) => [t2, -v2]) },
  ]);
}

// 5. Many short series: 240 pods × 3 samples, in different blocks.
{
  const series = [];
  for (let p = 0; p < 240; p++) {
    const start = T0 + (p % 4) * 2 * HOUR - (p % 4 === 0 ? 0 : 20_000) + p * 1_000;
    series.push({
      labels: { namespace: p % 3 === 0 ? 'kube-system' : 'openverso', pod: `open5gs-amf-${(p * 7919).toString(36)}-x${p}` },
      samples: [0, 1, 2].map((k) => [start + k * 15_000, p * 10 + k]),
    });
  }
  family('demo_short', 'gauge', 'Many short series.', series);
}

// 6. A sparse gauge over 14 h, so that a server compacts the 2 h blocks of the first 6 h
//    ranges (its planner leaves alone ranges that reach the newest block).
{
  const samples = [];
  for (let t = T0; t < T0 + 14 * HOUR; t += 300_000) samples.push([t, Math.round(Math.sin((t - T0) / HOUR) * 1000) / 10]);
  family('demo_sparse', 'gauge', 'A sparse gauge.', [{ labels: { job: 'demo' }, samples }]);
}

lines.push('# EOF');
writeFileSync(out, lines.join('\n') + '\n');
