import type { Fleet, FleetEntry } from './fleet.js';
import { columnPoints, esc } from './plot.js';

const W = 280;
const H = 64;

/** A number as the table shows it: 3 significant digits, '—' for none. */
function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/**
 * One row's chart: the last two days of history (5-minute means, blue), the forecast (red) with its
 * 95 % band, our request (green) and limit (green, dashed), KRR's request (purple, dotted) and VPA's
 * (grey, dotted).
 */
function sparkline(e: FleetEntry): string {
  const h = e.history;
  const keep = Math.min(h.mean.length, Math.round((2 * 86_400_000) / h.stepMs));
  const ht = Array.from({ length: keep }, (_, i) => h.start + (h.mean.length - keep + i) * h.stepMs);
  const hy = h.mean.slice(h.mean.length - keep);
  const f = e.forecast;
  const band = f?.intervals['95'];
  const levels = [e.ours?.request, e.ours?.limit, e.krr?.request, e.vpa?.request];
  const all = [...hy, ...(f?.mean ?? []), ...(band?.hi ?? []), ...(band?.lo ?? []), ...levels].filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  const [lo, hi] = [Math.min(0, ...all), Math.max(1e-9, ...all)];
  const t0 = ht[0] ?? 0;
  const t1 = f ? f.ds[f.ds.length - 1]! : (ht[ht.length - 1] ?? 1);
  const x = (t: number) => ((t - t0) / (t1 - t0 || 1)) * (W - 2) + 1;
  const y = (v: number) => H - 2 - ((v - lo) / (hi - lo || 1)) * (H - 4);
  const path = (t: number[], v: number[]) => {
    let d = '';
    let pen = false;
    for (const j of columnPoints(t, v, x)) {
      if (j === null) pen = false;
      else {
        d += `${pen ? 'L' : 'M'}${x(t[j]!).toFixed(1)},${y(v[j]!).toFixed(1)}`;
        pen = true;
      }
    }
    return d;
  };
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" class="spark">`;
  svg += `<rect width="${W}" height="${H}" fill="#fafafa" stroke="#ddd"/>`;
  if (f && band) {
    const up = f.ds.map((t, i) => `${x(t).toFixed(1)},${y(band.hi[i]!).toFixed(1)}`);
    const down = f.ds.map((t, i) => `${x(t).toFixed(1)},${y(band.lo[i]!).toFixed(1)}`).reverse();
    svg += `<polygon points="${[...up, ...down].join(' ')}" fill="#ff7f0e" fill-opacity="0.3"/>`;
  }
  svg += `<path d="${path(ht, hy)}" fill="none" stroke="#1f77b4" stroke-width="1"/>`;
  if (f) svg += `<path d="${path(f.ds, f.mean)}" fill="none" stroke="#d62728" stroke-width="1.2"/>`;
  const line = (v: number | null | undefined, color: string, dash: string) =>
    typeof v === 'number' && Number.isFinite(v)
      ? `<line x1="1" x2="${W - 1}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" ` +
        `stroke="${color}" stroke-dasharray="${dash}"/>`
      : '';
  svg += line(e.ours?.request, '#2ca02c', '');
  svg += line(e.ours?.limit, '#2ca02c', '5,3');
  svg += line(e.krr?.request, '#9467bd', '2,2');
  svg += line(e.vpa?.request, '#7f7f7f', '2,2');
  return svg + '</svg>';
}

const td = (v: number | null | undefined, unit = '') =>
  `<td data-v="${typeof v === 'number' && Number.isFinite(v) ? v : ''}">${num(v)}${unit}</td>`;
const text = (s: string) => `<td data-v="${esc(s)}">${esc(s)}</td>`;

function row(e: FleetEntry): string {
  if (e.error)
    return (
      `<tr class="failed">${text(`${e.namespace}/${e.workload}`)}${text(e.level)}${text(e.metric)}` +
      `<td colspan="10" data-v="">failed: ${esc(e.error.message)} [${esc(e.error.code)}]</td></tr>`
    );
  const risk = e.risk;
  return (
    `<tr>${text(`${e.namespace}/${e.workload}`)}${text(e.level)}${text(`${e.metric} (${e.unit})`)}` +
    td(e.currentLimit) +
    td(e.ours?.request) +
    td(e.ours?.limit) +
    td(e.krr?.request) +
    td(e.krr?.limit) +
    td(e.vpa?.request) +
    td(e.vpa?.limit) +
    td(e.ours?.expectedPeak) +
    td(risk?.aboveCurrentLimit === null || !risk ? null : 100 * risk.aboveCurrentLimit, ' %') +
    `<td>${sparkline(e)}</td></tr>`
  );
}

/** The fleet's totals for the application containers: each method's requests × replicas. */
function totals(f: Fleet): string {
  const rows = (['cpu', 'memory'] as const).map((metric) => {
    const es = f.entries.filter((e) => e.level === 'amf' && e.metric === metric && !e.error);
    const sum = (pick: (e: FleetEntry) => number | null | undefined) =>
      es.reduce((a, e) => a + (pick(e) ?? NaN) * e.replicas, 0);
    const unit = metric === 'cpu' ? 'cores' : 'MiB';
    return (
      `<tr>${text(`${metric} (${unit})`)}${td(sum((e) => e.currentLimit))}${td(sum((e) => e.ours?.request))}` +
      `${td(sum((e) => e.ours?.limit))}${td(sum((e) => e.krr?.request))}${td(sum((e) => e.vpa?.request))}</tr>`
    );
  });
  return (
    '<table class="totals"><tr><th>application containers</th><th>current limits</th><th>ours: requests</th>' +
    `<th>ours: limits</th><th>KRR: requests</th><th>VPA: requests</th></tr>${rows.join('')}</table>`
  );
}

/** The held-out scores (a backtest run): violations and slack of each method, per series. */
function backtestTable(f: Fleet): string {
  const es = f.entries.filter((e) => e.backtest);
  if (es.length === 0) return '';
  const cells = (e: FleetEntry) =>
    e
      .backtest!.methods.map((m) => td(e.metric === 'cpu' ? 100 * m.violation : m.violation) + td(m.score.meanSlack))
      .join('');
  const head = ['ours', 'ours hourly', 'KRR-simple', 'VPA-style']
    .map((m) => `<th>${m}: violations</th><th>${m}: slack</th>`)
    .join('');
  const body = es
    .map(
      (e) =>
        `<tr>${text(`${e.namespace}/${e.workload}`)}${text(e.level)}${text(e.metric)}${cells(e)}` +
        text(e.backtest!.goal.ours.reached ? 'reached' : 'not reached') +
        `${text(e.backtest!.goal['ours-schedule'].reached ? 'reached' : 'not reached')}</tr>`,
    )
    .join('');
  return (
    '<h2>Backtest on the held-out part</h2><p>Violations: CPU, % of pod-minutes above the request; memory, ' +
    'pod-minutes above the limit (OOM kills). Slack: mean request − usage. Goal: 20 % less slack at no more ' +
    'violations than the better of KRR and VPA (docs/RECOMMENDATIONS.md).</p>' +
    `<table class="sortable"><thead><tr><th>workload</th><th>level</th><th>metric</th>${head}` +
    `<th>goal, constant</th><th>goal, hourly</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

const SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('data-asc') !== 'true';
      th.setAttribute('data-asc', String(asc));
      rows.sort(function (a, b) {
        var x = a.cells[col] ? a.cells[col].getAttribute('data-v') : '';
        var y = b.cells[col] ? b.cells[col].getAttribute('data-v') : '';
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
`;

const STYLE = [
  'body{font-family:sans-serif;margin:24px}',
  'table{border-collapse:collapse;margin:12px 0}',
  'td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:middle}',
  'th{background:#f4f4f4;cursor:pointer}',
  'td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}',
  'tr.failed td{color:#b00}',
  '.legend span{margin-right:14px}',
].join('');

/** The fleet report: one self-contained page, a sortable table with a chart per row, and the totals. */
export function fleetReport(f: Fleet): string {
  const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  const heads = [
    'workload',
    'level',
    'metric',
    'current limit',
    'ours: request',
    'ours: limit',
    'KRR: request',
    'KRR: limit',
    'VPA: request',
    'VPA: limit',
    'expected peak',
    'minutes above the current limit',
    'history, forecast and requests',
  ];
  const failed = f.entries.filter((e) => e.error).length;
  return `<!doctype html><html><head><meta charset="utf-8"><title>AMF Foresight fleet</title>
<style>${STYLE}</style></head><body>
<h1>Fleet: ${f.entries.length} series of ${new Set(f.entries.map((e) => e.workload)).size} workloads</h1>
<p>History ${iso(f.history.start)} to ${iso(f.history.end)} UTC; recommendations for ${iso(f.period.start)} to
${iso(f.period.end)} (${f.holdout ? 'the held-out part' : 'the next period'}); model ${esc(f.model)}, risk ${f.risk}
(the fraction of pod-minutes a request may be exceeded).${failed ? ` <b>${failed} series failed</b>.` : ''}</p>
${totals(f)}
<p class="legend"><span style="color:#1f77b4">■ history</span><span style="color:#d62728">■ forecast</span>
<span style="color:#ff7f0e">■ 95 % interval</span><span style="color:#2ca02c">— our request, - - our limit</span>
<span style="color:#9467bd">··· KRR request</span><span style="color:#7f7f7f">··· VPA request</span></p>
<table class="sortable"><thead><tr>${heads.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${f.entries.map(row).join('')}</tbody></table>
${backtestTable(f)}
<script>${SCRIPT}</script>
</body></html>
`;
}
