import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { checkWindow, formatTime, parseTime } from './time.js';

describe('parseTime', () => {
  it.each([
    ['2023-06-06 14:00:00', Date.UTC(2023, 5, 6, 14)],
    ['2023-06-06T14:00:00Z', Date.UTC(2023, 5, 6, 14)],
    ['2023-06-06 14:00:00+02:00', Date.UTC(2023, 5, 6, 12)],
    ['2023-06-06', Date.UTC(2023, 5, 6)],
    ['1686060000000', 1686060000000],
  ])('%s', (s, want) => expect(parseTime(s, '--start')).toBe(want));
  it.each(['yesterday', '2023-13-01 00:00:00', '2023-02-30', '2023-06-06 25:00:00', ''])('rejects %j', (s) => {
    expect(() => parseTime(s, '--start')).toThrow(UsageError);
  });
  it('checks windows and formats like the prototype', () => {
    expect(() => checkWindow(2, 1)).toThrow(/--start .* must be before --end/);
    expect(formatTime(Date.UTC(2023, 5, 6, 14))).toBe('2023-06-06 14:00:00');
  });
});
