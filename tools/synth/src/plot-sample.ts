import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { panelsSvg, svgToPng } from '@amf-foresight/cli';

/**
 * Plots a week of the AMF's ground truth from a ground-truth.csv.gz: CPU cores and working
 * set of the AMF container, each pod in its own colour (the restart shows as a new pod).
 */
export async function plotAmfWeek(truthGz: string, outPng: string): Promise<void> {
  const rows = gunzipSync(readFileSync(truthGz))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const amf = rows.filter((r) => r[3] === 'amf');
  const pods = [...new Set(amf.map((r) => r[2]!))];
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const lines = (col: number, scale: number) =>
    pods.map((pod, i) => {
      const rs = amf.filter((r) => r[2] === pod);
      return {
        label: pod,
        color: colors[i % colors.length]!,
        t: rs.map((r) => Date.parse(r[0]!)),
        y: rs.map((r) => Number(r[col]) / scale),
      };
    });
  const svg = panelsSvg('Simulated Open5GS AMF, one week (ground truth, 1-minute steps)', [
    { title: 'AMF container CPU', unit: 'cores', lines: lines(4, 1) },
    { title: 'AMF container working set', unit: 'MiB', lines: lines(6, 1024 * 1024) },
  ]);
  writeFileSync(outPng, await svgToPng(svg));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [truth, out] = process.argv.slice(2);
  if (!truth || !out) {
    console.error('usage: plot-sample TRUTH.csv.gz OUT.png');
    process.exit(2);
  }
  await plotAmfWeek(truth, out);
}
