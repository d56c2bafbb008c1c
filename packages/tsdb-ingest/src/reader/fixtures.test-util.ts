import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
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
