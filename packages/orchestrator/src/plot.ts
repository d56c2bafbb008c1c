/** A small SVG line chart of stacked panels sharing a time axis, rendered to PNG with resvg. */
export interface Line {
  label: string;
  color: string;
  t: number[];
  y: number[];
  width?: number;
}

/** A shaded range, e.g. a forecast interval. */
export interface Band {
  label: string;
  color: string;
  t: number[];
  lo: number[];
  hi: number[];
}

export interface Panel {
  title: string;
  unit: string;
  lines: Line[];
  bands?: Band[];
}

const W = 1200;
const PANEL_H = 260;
const M = { left: 70, right: 20, top: 36, bottom: 30 };

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  if (!Number.isFinite(span)) return [];
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const first = Math.ceil(lo / step) * step;
  // Counted, not stepped by `v += step`: at 1e-14 or 1e300 that sum never reaches hi (issue 13, finding 3).
  const count = Math.min(2 * n + 1, Math.floor((hi - first) / step + 1e-9) + 1);
  return Array.from({ length: Math.max(0, count) }, (_, k) => Number((first + k * step).toPrecision(10)));
}

/** Text for HTML and SVG: `&` and `<` escaped. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One legend entry: a swatch and its label, in the panel's top right corner. */
function legend(top: number, k: number, color: string, label: string, opacity = 1): string {
  const yy = top + 8 + k * 16;
  return (
    `<rect x="${W - M.right - 260}" y="${yy}" width="10" height="10" fill="${color}" fill-opacity="${opacity}"/>` +
    `<text x="${W - M.right - 245}" y="${yy + 9}">${esc(label)}</text>`
  );
}

/** Day lines over spans of two days or more; otherwise hour lines (every 1, 2, 3 or 6 h), labelled UTC. */
function timeGrid(t0: number, t1: number, x: (t: number) => number, top: number): string {
  let svg = '';
  const span = t1 - t0;
  const tick =
    span >= 2 * 86_400_000
      ? 86_400_000
      : ([1, 2, 3, 6].map((h) => h * 3_600_000).find((h) => span / h <= 12) ?? 21_600_000);
  for (let d = Math.ceil(t0 / tick) * tick; d <= t1 - tick / 8; d += tick) {
    const at = new Date(d);
    const iso = at.toISOString();
    const label =
      tick === 86_400_000
        ? `${iso.slice(0, 10)} ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][at.getUTCDay()]}`
        : iso.slice(at.getUTCHours() === 0 ? 5 : 11, 16).replace('T', ' ');
    svg += `<line x1="${x(d)}" x2="${x(d)}" y1="${top}" y2="${top + PANEL_H}" stroke="#ddd"/>`;
    svg += `<text x="${x(d) + 3}" y="${top + PANEL_H + 14}">${label}</text>`;
  }
  return svg;
}

/**
 * The points of a line worth drawing: per pixel column, its first, lowest, highest and last point,
 * in order (what a 1-pixel-wide column shows of any number of points), so a chart of 10⁶ points
 * has a few thousand. Missing values end a run: `null` lifts the pen.
 */
export function columnPoints(t: readonly number[], y: readonly number[], x: (t: number) => number): (number | null)[] {
  const out: (number | null)[] = [];
  let col = NaN;
  let [first, lo, hi, last] = [-1, -1, -1, -1];
  const flush = () => {
    if (first < 0) return;
    for (const j of [...new Set([first, lo, hi, last])].sort((a, b) => a - b)) out.push(j);
    first = -1;
  };
  for (let j = 0; j < t.length; j++) {
    const v = y[j]!;
    if (!Number.isFinite(v)) {
      flush();
      if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
      continue;
    }
    const c = Math.floor(x(t[j]!));
    if (c !== col || first < 0) {
      flush();
      col = c;
      [first, lo, hi] = [j, j, j];
    }
    if (v < y[lo]!) lo = j;
    if (v > y[hi]!) hi = j;
    last = j;
  }
  flush();
  return out;
}

/** A line as an SVG path; missing values lift the pen. */
function linePath(l: Line, x: (t: number) => number, y: (v: number) => number): string {
  let path = '';
  let pen = false;
  for (const j of columnPoints(l.t, l.y, x)) {
    if (j === null) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(l.t[j]!).toFixed(1)},${y(l.y[j]!).toFixed(1)}`;
    pen = true;
  }
  return `<path d="${path}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1}"/>`;
}

/** A band as a polygon: per pixel column, the highest upper and the lowest lower bound. */
function bandPolygon(b: Band, x: (t: number) => number, y: (v: number) => number): string {
  const cols: { x: number; lo: number; hi: number }[] = [];
  b.t.forEach((t, j) => {
    const [px, lo, hi] = [x(t), b.lo[j]!, b.hi[j]!];
    const c = cols[cols.length - 1];
    if (c && Math.floor(c.x) === Math.floor(px)) [c.lo, c.hi] = [Math.min(c.lo, lo), Math.max(c.hi, hi)];
    else cols.push({ x: px, lo, hi });
  });
  const upper = cols.map((c) => `${c.x.toFixed(1)},${y(c.hi).toFixed(1)}`);
  const lower = cols.map((c) => `${c.x.toFixed(1)},${y(c.lo).toFixed(1)}`).reverse();
  return `<polygon points="${[...upper, ...lower].join(' ')}" fill="${b.color}" fill-opacity="0.25" stroke="none"/>`;
}

function panelSvg(p: Panel, top: number, t0: number, t1: number, x: (t: number) => number): string {
  const ys = [...p.lines.flatMap((l) => l.y), ...(p.bands ?? []).flatMap((b) => [...b.lo, ...b.hi])];
  let [min, max] = [Infinity, -Infinity];
  for (const v of ys) if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
  if (min > max) [min, max] = [0, 1]; // nothing finite to draw
  const pad = (max - min) * 0.05 || Math.abs(max) * 0.05 || 1;
  const lo = min - pad;
  const hi = max + pad;
  const y = (v: number) => top + PANEL_H - ((v - lo) / (hi - lo)) * PANEL_H;
  const frame = `x="${M.left}" y="${top}" width="${W - M.left - M.right}" height="${PANEL_H}"`;
  let svg = `<rect ${frame} fill="none" stroke="#999"/>`;
  for (const v of niceTicks(lo, hi)) {
    svg += `<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`;
    svg += `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`;
  }
  svg += timeGrid(t0, t1, x, top);
  svg += `<text x="${M.left + 6}" y="${top + 16}" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`;
  (p.bands ?? []).forEach((b, k) => {
    svg += bandPolygon(b, x, y);
    svg += legend(top, p.lines.length + k, b.color, b.label, 0.25);
  });
  p.lines.forEach((l, k) => {
    svg += linePath(l, x, y) + legend(top, k, l.color, l.label);
  });
  return svg;
}

/** Stacked panels sharing one time axis, as an SVG document. */
export function panelsSvg(title: string, panels: readonly Panel[]): string {
  const H = M.top + panels.length * (PANEL_H + M.bottom) + 10;
  let [t0, t1] = [Infinity, -Infinity];
  for (const p of panels)
    for (const ts of [...p.lines.map((l) => l.t), ...(p.bands ?? []).map((b) => b.t)])
      for (const t of ts) [t0, t1] = [Math.min(t0, t), Math.max(t1, t)];
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0 || 1)) * (W - M.left - M.right);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="12"`;
  svg += ` font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>`;
  svg += `<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`;
  panels.forEach((p, i) => (svg += panelSvg(p, M.top + i * (PANEL_H + M.bottom), t0, t1, x)));
  return svg + '</svg>';
}

export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

const STYLE = [
  'body{font-family:sans-serif;margin:24px}',
  'table{border-collapse:collapse;margin-top:16px}',
  'td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}',
  'th{background:#f4f4f4}',
].join('');

/** A self-contained HTML page: the chart inline as SVG, and a table of figures. */
export function htmlReport(title: string, svg: string, rows: Record<string, string | number>[]): string {
  const cols = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const cell = (v: string | number) =>
    esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : v);
  const head = cols.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c]!)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${STYLE}</style>
</head><body><h1>${esc(title)}</h1>${svg}
<table><tr>${head}</tr>${body}</table>
</body></html>
`;
}
