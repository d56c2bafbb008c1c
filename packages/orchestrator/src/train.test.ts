import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@amf-foresight/core';
import { stopArimaWorker } from '@amf-foresight/models-arima';
import { trainSeries } from './train.js';

afterAll(stopArimaWorker);

/** A NAB CPU series (5-minute steps) with two gaps in its timestamps, of 15 and 20 minutes. */
function gappy(): { ds: number[]; y: number[] } {
  const file = join(import.meta.dirname, '../../../data/nab-cpu/ec2_cpu_utilization_5f5533.csv');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1, 1500);
  const all = rows.map((l, i) => ({ t: Date.UTC(2014, 1, 14) + i * 300_000, y: Number(l.split(',')[1]) }));
  const kept = all.filter((_, i) => !(i >= 1430 && i < 1432) && !(i >= 1460 && i < 1463));
  return { ds: kept.map((p) => p.t), y: kept.map((p) => p.y) };
}

describe('trainSeries', () => {
  it.each(['ARIMA', 'AUTO'])(
    '%s trains on timestamps with gaps: the missing steps become gaps, said once',
    async (model) => {
      const log = new MemoryLogger();
      const r = await trainSeries(
        'nab',
        gappy(),
        { model, horizon: 12, windows: 2 },
        { logger: log, signal: new AbortController().signal },
      );
      expect(r.forecast.mean.every(Number.isFinite)).toBe(true);
      expect(r.series.ds).toHaveLength(1499);
      expect(
        log.records.filter((x) => x.message.includes('missing steps added as gaps')).map((x) => x.message),
      ).toEqual(['series nab: 5 missing steps added as gaps']);
    },
  );
});
