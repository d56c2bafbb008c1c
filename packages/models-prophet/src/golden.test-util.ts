import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type GoldenCase = GoldenBase & { [K in `${'lo' | 'hi'}${80 | 90 | 95}`]: number[] };

interface GoldenBase {
  name: string;
  csv: string;
  h: number;
  step: 'D' | '5min';
  options: { scaling?: 'absmax' | 'minmax' };
  trainRows: number;
  fitPredictSeconds: number;
  rmse: number;
  params: { k: number[]; m: number[]; sigma_obs: number[]; delta: number[]; beta: number[] };
  yhat: number[];
}

export const GOLDEN_DIR = join(import.meta.dirname, '../golden');
export const DATA_DIR = join(import.meta.dirname, '../../../data');

export function goldenCases(): GoldenCase[] {
  return (JSON.parse(readFileSync(join(GOLDEN_DIR, 'python-prophet.json'), 'utf8')) as { cases: GoldenCase[] }).cases;
}

/** A ds,y CSV with naive timestamps read as UTC; empty values are NaN. */
export function readCsv(path: string): { ds: number[]; y: number[] } {
  const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const ds: number[] = [];
  const y: number[] = [];
  for (const r of rows) {
    const [d, v] = r.split(',');
    const iso = d!.length === 10 ? `${d}T00:00:00Z` : `${d!.replace(' ', 'T')}Z`;
    ds.push(Date.parse(iso));
    y.push(v === '' || v === undefined ? NaN : Number(v));
  }
  return { ds, y };
}
