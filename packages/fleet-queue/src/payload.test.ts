import { describe, expect, it } from 'vitest';
import { fromPayload, toOutcome, toPayload } from './payload.js';

const job = {
  ds: Float64Array.from([0, 300_000, 600_000]),
  y: Float64Array.from([1.5, NaN, 0.1 + 0.2]),
  model: 'AUTO',
  params: { season: 288 },
  horizon: 12,
  levels: [80, 95],
};

describe('fleet jobs as queue payloads', () => {
  it('travel through JSON exactly, gaps included', () => {
    const back = fromPayload(JSON.parse(JSON.stringify(toPayload(job, 'ns/amf amf cpu'))));
    expect(back.label).toBe('ns/amf amf cpu');
    expect(Array.from(back.job.ds)).toEqual(Array.from(job.ds));
    expect(Array.from(back.job.y)).toEqual([1.5, NaN, 0.1 + 0.2]);
    expect({ ...back.job, ds: 0, y: 0 }).toEqual({ ...job, ds: 0, y: 0 });
  });

  it.each([
    [null, /not an object/],
    [{ v: 2 }, /version 2/],
    [{ ...toPayload(job, 'x'), y: [1] }, /not series/],
    [{ ...toPayload(job, 'x'), horizon: 1.5 }, /no model or horizon/],
  ])('a payload that is not a fleet job is refused: %j', (data, why) => {
    expect(() => fromPayload(data)).toThrow(why);
  });

  it('a worker result is a forecast or a failure; anything else fails that series', () => {
    const f = { ds: [1], mean: [2], intervals: { 80: { lo: [1], hi: [3] } } };
    expect(toOutcome(f)).toBe(f);
    expect(toOutcome({ failed: { code: 'SERIES_TOO_SHORT', message: 'm' } })).toEqual({
      failed: { code: 'SERIES_TOO_SHORT', message: 'm' },
    });
    expect(toOutcome('x')).toMatchObject({ failed: { code: 'QUEUE_BAD_RESULT' } });
    expect(toOutcome({ ds: [1], mean: ['2'], intervals: {} })).toMatchObject({ failed: { code: 'QUEUE_BAD_RESULT' } });
  });
});
