import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, openInChromium, requireTool, tempDirs } from '@amf-foresight/test-servers';

// `amf-foresight fleet` as users run it: the built CLI in its own process, its fits on worker threads.
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const DEPLOYMENT = join(REPO_ROOT, 'packages/cli/testdata/open5gs-amf-deployment.yaml');
const WEEK = ['--start', '2023-06-05 00:00:00', '--end', '2023-06-11 23:59:00'];
const dirs = tempDirs('amf-fleet-');
let cwd: string;
let run: string;
let summary: { runDir: string; series: number; failed: unknown[]; recommendations: string; report: string };

const cli = (args: string[], dir = cwd) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });

beforeAll(() => {
  cwd = dirs.make();
  const r = cli(['fleet', '--local-path', SAMPLE, ...WEEK, '--output', 'json', '--quiet']);
  expect(r.status, r.stderr).toBe(0);
  summary = JSON.parse(r.stdout) as typeof summary;
  run = join(cwd, summary.runDir);
}, 300_000);
afterAll(dirs.cleanup);

interface Doc {
  schemaVersion: number;
  period: { start: string; end: string };
  recommendations: {
    workload: string;
    level: string;
    metric: string;
    recommendation: { request: number; limit: number; schedule: unknown[] };
    baselines: { krrSimple: { request: number }; vpaStyle: { target: number } };
  }[];
}

describe('amf-foresight fleet on the sample', () => {
  it('recommends for every network function × level × metric, on worker threads, in one run', () => {
    expect(summary.series).toBe(24);
    expect(summary.failed).toEqual([]);
    expect(readdirSync(run).sort()).toEqual([
      'fleet.html',
      'fleet.parquet',
      'patches',
      'recommendations.json',
      'run.json',
    ]);
    const doc = JSON.parse(readFileSync(join(run, 'recommendations.json'), 'utf8')) as Doc;
    expect(doc.schemaVersion).toBe(1);
    expect(doc.period).toEqual({ start: '2023-06-12T00:00:00.000Z', end: '2023-06-19T00:00:00.000Z', heldOut: false });
    expect(doc.recommendations).toHaveLength(24);
    for (const r of doc.recommendations) {
      expect(r.recommendation.request, `${r.workload} ${r.level} ${r.metric}`).toBeGreaterThanOrEqual(0);
      expect(r.recommendation.schedule).toHaveLength(7 * 24);
      expect(Number.isFinite(r.baselines.vpaStyle.target)).toBe(true);
    }
    const steps = (JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as { steps: { fleet: { workers: number } } })
      .steps;
    expect(steps.fleet.workers).toBeGreaterThan(0);
  });

  it('prints a table like KRR’s, one row per application container and metric', () => {
    const r = cli(['fleet', '--local-path', SAMPLE, ...WEEK, '--nf', 'amf,upf', '--levels', 'amf', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^NAMESPACE\s+WORKLOAD\s+METRIC\s+CURRENT LIMIT\s+OURS req → lim\s+KRR req → lim\s+VPA req → lim$/,
    );
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      'open5gs-amf cpu 1000m',
      'open5gs-amf memory 512Mi',
      'open5gs-upf cpu 2000m',
      'open5gs-upf memory 1024Mi',
    ]);
    expect(lines[1]).toMatch(/\d+m → \d+m\s+\d+m → -\s+\d+m → \d+m$/); // KRR sets no CPU limit
  });

  it('its patches apply to a Deployment with kubectl patch --local, changing the AMF container only', () => {
    requireTool('kubectl', 'kubectl (offline use only) is needed for this test');
    const patch = join(run, 'patches', 'openverso.open5gs-amf.json');
    const out = execFileSync(
      'kubectl',
      ['patch', '--local', '-f', DEPLOYMENT, '--type', 'strategic', '--patch-file', patch, '-o', 'json'],
      { encoding: 'utf8' },
    );
    type Container = {
      name: string;
      resources: { requests?: Record<string, string>; limits?: Record<string, string> };
    };
    const d = JSON.parse(out) as {
      spec: { template: { spec: { containers: Container[]; initContainers: unknown[] } } };
    };
    const [amf, exporter] = d.spec.template.spec.containers;
    const want = (
      JSON.parse(readFileSync(patch, 'utf8')) as { spec: { template: { spec: { containers: Container[] } } } }
    ).spec.template.spec.containers[0]!.resources;
    expect(amf!.name).toBe('open5gs-amf');
    expect(amf!.resources).toEqual(want);
    expect(want.requests!['cpu']).toMatch(/^\d+m$/);
    expect(want.limits!['memory']).toMatch(/^\d+Mi$/);
    expect(exporter).toMatchObject({ name: 'exporter', resources: { requests: { cpu: '10m', memory: '16Mi' } } });
    expect(d.spec.template.spec.initContainers).toHaveLength(1);
  });

  it('its report opens in a browser: no console error, a chart per row, the totals', async () => {
    const page = await openInChromium(join(cwd, summary.report));
    expect(page.problems).toEqual([]);
    expect(page.charts).toHaveLength(24);
    expect(page.charts.filter((c) => c.linePoints > 100)).toHaveLength(24);
    expect(page.cells.length).toBeGreaterThan(24 * 10);
  }, 60_000);

  it('bad input: an NF that is not there is exit 3 listing what is; too long a period exit 2', () => {
    const none = cli(['fleet', '--local-path', SAMPLE, ...WEEK, '--nf', 'ausf', '--quiet']);
    expect(none.status).toBe(3);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/openverso: open5gs-amf, open5gs-nrf, open5gs-smf, open5gs-upf.*\[NO_WORKLOADS\]/);
    const ns = cli(['fleet', '--local-path', SAMPLE, ...WEEK, '--namespace', 'core-*', '--quiet']);
    expect(ns.status).toBe(3);
    expect(ns.stderr).toMatch(/in namespace core-\*; the data has kube-system: coredns, kube-proxy; openverso: /);
    const long = cli(['fleet', '--local-path', SAMPLE, ...WEEK, '--period', '30d', '--quiet']);
    expect(long.status).toBe(2);
    expect(long.stderr).toMatch(/a period of 30 days needs at least as much history.*\[PERIOD_TOO_LONG\]/);
    expect(existsSync(join(cwd, 'runs'))).toBe(true);
  });

  it('series that cannot be fitted are reported and the run says so: exit 4', () => {
    // SNAIVE with a season longer than the history fits nothing.
    const r = cli([
      'fleet',
      '--local-path',
      SAMPLE,
      ...WEEK,
      '--nf',
      'nrf',
      '--model',
      'snaive',
      '--model-param',
      'season=5000',
      '--output',
      'json',
      '--quiet',
    ]);
    expect(r.status, r.stderr).toBe(4);
    const s = JSON.parse(r.stdout) as { failed: { code: string }[]; series: number };
    expect(s.failed).toHaveLength(s.series);
    expect(s.failed[0]!.code).toBe('SERIES_TOO_SHORT');
  });
});
