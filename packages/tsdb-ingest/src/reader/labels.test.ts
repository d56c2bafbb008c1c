import { describe, expect, it } from 'vitest';
import { compareLabels, compareUtf8, withExternalLabels } from './labels.js';

describe('label ordering', () => {
  it('compares like UTF-8 bytes, also above U+FFFF', () => {
    const words = ['a', 'B', '\uffff', '𝄞', 'é', '', 'ab', '\ue000'];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareUtf8)).toEqual(byBytes);
  });
  it('compares label sets pair by pair, prefixes first', () => {
    expect(compareLabels(['a', '1'], ['a', '1', 'b', '2'])).toBeLessThan(0);
    expect(compareLabels(['a', '2'], ['a', '1', 'b', '2'])).toBeGreaterThan(0);
    expect(compareLabels(['A', 'z'], ['__name__', 'a'])).toBeLessThan(0);
  });
  it('adds external labels without overriding the series own', () => {
    expect(withExternalLabels(['job', 'x', 'zone', 'own'], { cluster: 'eu1', zone: 'ext' })).toEqual([
      'cluster',
      'eu1',
      'job',
      'x',
      'zone',
      'own',
    ]);
  });
});
