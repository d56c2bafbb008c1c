import { describe, expect, it } from 'vitest';
import { formatGoFloat, formatLabels, quoteGo } from './format.js';

describe('formatGoFloat (Go %g, as promtool prints values)', () => {
  it.each([
    [1e6, '1e+06'],
    [1e-5, '1e-05'],
    [1.000017e6, '1.000017e+06'],
    [123456789, '1.23456789e+08'],
    [123456.7, '123456.7'],
    [100000, '100000'],
    [0.0001, '0.0001'],
    [-2.5e-7, '-2.5e-07'],
    [1e-300, '1e-300'],
    [9007199254740992, '9.007199254740992e+15'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [-123.456, '-123.456'],
    [42, '42'],
    [0, '0'],
    [-0, '-0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [999999, '999999'],
    [999999.5, '999999.5'],
    [0.00012, '0.00012'],
    [1e21, '1e+21'],
  ])('%s → %s', (v, want) => {
    expect(formatGoFloat(v)).toBe(want);
  });
});

describe('quoteGo (strconv.Quote)', () => {
  it('escapes quotes, backslashes and control characters, keeps printable UTF-8', () => {
    expect(quoteGo('café "quoted" \\ back\nslash ☃ 𝄞')).toBe('"café \\"quoted\\" \\\\ back\\nslash ☃ 𝄞"');
    expect(quoteGo('\t\x07\x00\x7f')).toBe('"\\t\\a\\x00\\x7f"');
    expect(quoteGo('\u00a0\u200b\u2028')).toBe('"\\u00a0\\u200b\\u2028"');
    expect(quoteGo('')).toBe('""');
  });
  it('formats label sets like promtool', () => {
    expect(formatLabels(['A', 'x', '__name__', 'm', 'job', 'demo'])).toBe('{A="x", __name__="m", job="demo"}');
  });
});
