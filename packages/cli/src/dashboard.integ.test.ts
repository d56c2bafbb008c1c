import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelsSvg, svgToPng } from '@amf-foresight/orchestrator';
import type { Line } from '@amf-foresight/orchestrator';
import { REPO_ROOT, startPrometheus, tempDirs } from '@amf-foresight/test-servers';
import type { PromServer } from '@amf-foresight/test-servers';

// The Grafana dashboard (issue 15 item 4): every PromQL query it holds, its variables substituted, run against a
// Prometheus 2.42 over the sample's blocks and the blocks a fleet run exported; each must return data.
// AMF_DASHBOARD_PICTURE=path also renders the AMF CPU panel from the same queries (make dashboard-picture).
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const DASHBOARD = join(REPO_ROOT, 'grafana/dashboards/amf-foresight.json');
const dirs = tempDirs('amf-dash-');
const START = Date.UTC(2023, 5, 10); // two days of history shown…
const END = Date.UTC(2023, 5, 19); // …and the week the fleet recommends for
const NFS = ['open5gs-amf', 'open5gs-smf', 'open5gs-upf', 'open5gs-nrf'];
let prom: PromServer;

interface Target {
  expr: string;
  legendFormat?: string;
  instant?: boolean;
}
interface Dashboard {
  templating: { list: { name: string; type: string; definition?: string }[] };
  panels: { title: string; type: string; targets: Target[]; datasource: unknown }[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

beforeAll(async () => {
  const work = dirs.make();
  const data = join(work, 'data');
  cpSync(SAMPLE, data, { recursive: true });
  execFileSync(
    process.execPath,
    [
      BIN,
      'fleet',
      '--local-path',
      SAMPLE,
      '--start',
      '2023-06-05 00:00:00',
      '--end',
      '2023-06-12 00:00:00',
      '--export-blocks',
      data,
      '--quiet',
    ],
    { cwd: work, stdio: 'pipe' },
  );
  prom = await startPrometheus(data);
}, 180_000);

afterAll(async () => {
  await (prom as PromServer | undefined)?.stop();
  dirs.cleanup();
});

const substitute = (expr: string, workload: string) =>
  expr.replaceAll('$namespace', 'openverso').replaceAll('$workload', workload).replaceAll('$__rate_interval', '5m');

async function api(path: string, params: Record<string, string>): Promise<unknown[]> {
  const r = await fetch(`${prom.url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
  const body = (await r.json()) as { status: string; error?: string; data: unknown };
  expect(body.status, body.error).toBe('success');
  const d = body.data as { result?: unknown[] } | unknown[];
  return Array.isArray(d) ? d : d.result!;
}

type Range = { metric: Record<string, string>; values: [number, string][] }[];
const range = (query: string) =>
  api('query_range', { query, start: String(START / 1000), end: String(END / 1000), step: '600' }) as Promise<Range>;

describe('grafana/dashboards/amf-foresight.json', () => {
  it('is a provisionable dashboard: uid, a Prometheus datasource variable, every panel and target on it', () => {
    const d = dashboard as Dashboard & { uid: string; schemaVersion: number };
    expect(d.uid).toBe('amf-foresight');
    expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace', 'workload']);
    for (const p of d.panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(d.panels.flatMap((p) => p.targets)).toHaveLength(15);
  });

  it('its variable queries list the namespace and every network function', async () => {
    const [ns, wl] = dashboard.templating.list
      .slice(1)
      .map((v) => /^label_values\((.+), (\w+)\)$/.exec(v.definition!)!);
    expect(await api(`label/${ns![2]}/values`, { 'match[]': ns![1]! })).toEqual(['openverso']);
    expect(await api(`label/${wl![2]}/values`, { 'match[]': substitute(wl![1]!, '') })).toEqual(NFS.slice().sort());
  });

  it.each(NFS)('every query returns data for %s', async (nf) => {
    for (const p of dashboard.panels)
      for (const t of p.targets) {
        const q = substitute(t.expr, nf);
        const r = t.instant ? await api('query', { query: q, time: String(END / 1000) }) : await range(q);
        expect(r.length, `${p.title}: ${q}`).toBeGreaterThan(0);
      }
  });

  it('the CPU panel shows usage before the forecast and the forecast band after it', async () => {
    const panel = dashboard.panels[0]!;
    const got = await Promise.all(panel.targets.map((t) => range(substitute(t.expr, 'open5gs-amf'))));
    const [usage, forecast, lo, hi] = got.map((r) => r[0]!.values);
    const lastUsage = usage!.at(-1)![0] * 1000;
    expect(forecast![0]![0] * 1000).toBeGreaterThan(lastUsage - 3_600_000);
    expect(hi!.every(([, v], i) => Number(v) >= Number(lo![i]![1]))).toBe(true);
    const picture = process.env.AMF_DASHBOARD_PICTURE;
    if (picture) {
      const palette = ['#1f77b4', '#d62728', '', '', '#2ca02c', '#9467bd', '#7f7f7f'];
      const shade: Record<string, string> = { 'ours limit': '#98df8a', 'vpa-style request': '#ff7f0e' };
      const lines: Line[] = got.flatMap((r, k) =>
        k === 2 || k === 3
          ? []
          : r.map((s) => ({
              label: (panel.targets[k]!.legendFormat ?? '').replace(
                /\{\{(\w+)\}\}/g,
                (_, l: string) => s.metric[l] ?? '',
              ),
              color:
                shade[
                  (panel.targets[k]!.legendFormat ?? '').replace(/\{\{(\w+)\}\}/g, (_, l: string) => s.metric[l] ?? '')
                ] ?? palette[k]!,
              t: s.values.map(([t]) => t * 1000),
              y: s.values.map(([, v]) => Number(v)),
            })),
      );
      const band = {
        label: '90 %',
        color: '#d62728',
        t: lo!.map(([t]) => t * 1000),
        lo: lo!.map(([, v]) => Number(v)),
        hi: hi!.map(([, v]) => Number(v)),
      };
      const svg = panelsSvg('AMF Foresight dashboard · CPU — open5gs-amf (its queries, Prometheus 2.42)', [
        { title: 'usage, forecast (90 % band), recommended request and limit', unit: 'cores', lines, bands: [band] },
      ]);
      writeFileSync(picture, await svgToPng(svg));
    }
  });
});
