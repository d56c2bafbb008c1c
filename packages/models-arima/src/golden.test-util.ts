import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAB = join(import.meta.dirname, '../../../data/nab-cpu');

export function nabSeries(file: string): { ds: number[]; y: number[] } {
  const rows = readFileSync(join(NAB, file), 'utf8').trim().split('\n').slice(1);
  return { ds: rows.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000), y: rows.map((l) => Number(l.split(',')[1])) };
}

export interface GoldenFit {
  order: [number, number, number];
  params: Record<string, number>;
  sigma2: number;
  llf: number;
  aic: number;
  converged: boolean;
  mean: number[];
  var: number[];
}

export const GOLDEN = JSON.parse(readFileSync(join(import.meta.dirname, '../golden/statsmodels-nab.json'), 'utf8')) as {
  statsmodels: string;
  n_train: number;
  h: number;
  series: Record<string, GoldenFit[]>;
};
