import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, requireTool } from '@amf-foresight/test-servers';

export { REPO_ROOT, requireTool };
const here = dirname(fileURLToPath(import.meta.url));
export const TESTDATA = resolve(here, '../../testdata');
export const FIXTURES = ['blocks', 'overlap', 'tombstones', 'compacted', 'stale', 'histograms'] as const;
export type Fixture = (typeof FIXTURES)[number];

export function fixtureDir(name: Fixture): string {
  return join(TESTDATA, name);
}

/**
 * A copy of a fixture that `promtool tsdb dump` (2.42) accepts: it needs an empty `wal/`
 * and writes `chunks_head/`, so it never runs on the committed directory.
 */
export function promtoolCopy(name: Fixture): string {
  const dir = mkdtempSync(join(tmpdir(), `amf-${name}-`));
  cpSync(fixtureDir(name), dir, { recursive: true });
  mkdirSync(join(dir, 'wal'), { recursive: true });
  return dir;
}

export function promtoolDump(dir: string, args: { minTime?: number; maxTime?: number; match?: string }): string {
  requireTool('promtool', "run `make test`, which installs Debian's prometheus package");
  const a = ['tsdb', 'dump'];
  if (args.minTime !== undefined) a.push(`--min-time=${args.minTime}`);
  if (args.maxTime !== undefined) a.push(`--max-time=${args.maxTime}`);
  if (args.match !== undefined) a.push(`--match=${args.match}`);
  a.push(dir);
  return execFileSync('promtool', a, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

export const GO_DUMP = join(REPO_ROOT, 'tools/go-dump/go-dump');

export function goDump(
  dir: string,
  args: { minTime?: number; maxTime?: number; match?: string },
): { metric: Record<string, string>; timestamps: number[]; values: string[] }[] {
  requireTool(GO_DUMP, 'run `make go-dump` (or `make test`) to build tools/go-dump');
  const a = ['--raw-bits'];
  if (args.minTime !== undefined) a.push(`--min-time=${args.minTime}`);
  if (args.maxTime !== undefined) a.push(`--max-time=${args.maxTime}`);
  if (args.match !== undefined) a.push(`--match=${args.match}`);
  a.push(dir);
  const out = execFileSync(GO_DUMP, a, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { metric: Record<string, string>; timestamps: number[]; values: string[] });
}

export function blockDirs(name: Fixture): string[] {
  return readdirSync(fixtureDir(name))
    .sort()
    .map((b) => join(fixtureDir(name), b));
}

export interface Case {
  name: string;
  minTime?: number;
  maxTime?: number;
  match?: string;
}

/** Windows that cut blocks and chunks, derived from the fixture's own block ranges. */
export function casesFor(fixture: Fixture): Case[] {
  const metas = blockDirs(fixture).map(
    (d) => JSON.parse(readFileSync(join(d, 'meta.json'), 'utf8')) as { minTime: number; maxTime: number },
  );
  metas.sort((a, b) => a.minTime - b.minTime);
  const first = metas[0]!;
  const last = metas[metas.length - 1]!;
  const mid = Math.floor((first.minTime + last.maxTime) / 2);
  const cases: Case[] = [
    { name: 'full range' },
    { name: 'window across blocks, cutting chunks', minTime: first.minTime + 1_234_567, maxTime: mid + 987_654 },
    { name: 'open start', maxTime: mid },
    { name: 'open end', minTime: mid + 1 },
    { name: 'exact first block', minTime: first.minTime, maxTime: first.maxTime - 1 },
    { name: 'block boundary ±1 ms', minTime: first.maxTime - 1, maxTime: first.maxTime + 1 },
    { name: 'one sample instant', minTime: first.minTime, maxTime: first.minTime },
    { name: 'empty window before data', minTime: first.minTime - 10_000, maxTime: first.minTime - 1 },
    { name: 'inside one chunk', minTime: first.minTime + 61_000, maxTime: first.minTime + 1_000_000 },
  ];
  const matchers = [
    '{job="demo"}',
    '{instance!="a"}',
    '{__name__=~"demo_(requests|cpu_seconds)_total|.*memory.*"}',
    '{__name__=~".+", room!~"pl.*"}',
    'demo_short{namespace="openverso", pod=~"open5gs-amf-[0-9a-z]+-x1[0-9]+"}',
    '{__name__!="demo_short", job=~"demo|hist"}',
    '{__name__=~"(?s:.*)"}',
    '{kind="vanishing"}',
    '{__name__=~"demo_.*", instance=""}',
  ];
  for (const m of matchers) cases.push({ name: `match ${m}`, match: m });
  cases.push({ name: 'match and window', match: '{job=~"de.*"}', minTime: mid - 3_600_000, maxTime: mid + 3_600_000 });
  return cases;
}

/** A table's rows as plain objects (series tables compared row for row). */
export function rowsOf(t: { toArray(): { toJSON(): unknown }[] }): Record<string, unknown>[] {
  return t.toArray().map((r) => r.toJSON() as Record<string, unknown>);
}
