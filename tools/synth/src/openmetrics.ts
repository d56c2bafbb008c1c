import { METRICS } from './simulate.js';
import type { SeriesBuf } from './simulate.js';

function quote(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Seconds with exactly the ms digits (promtool truncates seconds×1000 to int64 ms). */
function seconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  const r = ms - s * 1000;
  return r === 0 ? `${s}` : `${s}.${String(r).padStart(3, '0')}`;
}

/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one family at a time,
 * each series' samples together and in time order, `# EOF` at the end. Empty label values
 * are left out, as Prometheus never stores them.
 */
export function toOpenMetrics(series: readonly SeriesBuf[], write: (chunk: string) => void): void {
  for (const [name, type, help] of METRICS) {
    const fam = series.filter((s) => s.metric === name);
    if (fam.length === 0) continue;
    const family = type === 'counter' ? name.replace(/_total$/, '') : name;
    write(`# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`);
    for (const s of fam) {
      const labels = Object.entries(s.labels)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}="${quote(v)}"`)
        .join(',');
      let buf = '';
      for (let i = 0; i < s.t.length; i++) {
        buf += `${name}{${labels}} ${s.v[i]} ${seconds(s.t[i]!)}\n`;
        if (buf.length > 1 << 20) {
          write(buf);
          buf = '';
        }
      }
      write(buf);
    }
  }
  write('# EOF\n');
}
