// The six NAB CPU series under data/nab-cpu (5-minute steps), in file-name order, as the benches read them.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'data', 'nab-cpu');

/** `{ name, ds, y }` per file; times start 2014-02-14 (the files' own stamps are not needed). */
export function nabSeries() {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => {
      const y = readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[1]));
      return { name: f.replace('.csv', ''), ds: y.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000), y };
    });
}
