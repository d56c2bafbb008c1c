import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mase } from '@amf-foresight/core';
import { forecasterConformance } from '@amf-foresight/core/testing';
import { MstlEts } from './mstl.js';
import { SeasonalNaive } from './naive.js';

forecasterConformance('MSTL', { make: () => new MstlEts(), load: (d) => MstlEts.load(d) });

describe('MSTL with AutoETS on a NAB series', () => {
  it('beats the seasonal naive forecast at 1 hour on ec2_cpu_utilization_24ae8d (12 windows)', async () => {
    const rows = readFileSync(join(import.meta.dirname, '../../../data/nab-cpu/ec2_cpu_utilization_24ae8d.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const y = rows.map((l) => Number(l.split(',')[1]));
    const ds = rows.map((_, i) => Date.UTC(2014, 1, 14) + i * 300_000);
    let mstlMase = 0;
    let naiveMase = 0;
    const origins = Array.from({ length: 12 }, (_, k) => 3225 + k * 60);
    for (const o of origins) {
      const train = { ds: ds.slice(0, o), y: y.slice(0, o) };
      const actual = y.slice(o, o + 12);
      const f1 = (await new MstlEts().fit(train)).predict(12);
      const f2 = (await new SeasonalNaive().fit(train)).predict(12);
      mstlMase += mase(actual, f1.mean, train.y, 288) / origins.length;
      naiveMase += mase(actual, f2.mean, train.y, 288) / origins.length;
    }
    console.log(
      `MASE at h = 12 over ${origins.length} origins: MSTL ${mstlMase.toFixed(3)}, SNAIVE ${naiveMase.toFixed(3)}`,
    );
    expect(mstlMase).toBeLessThan(naiveMase);
  });
});
