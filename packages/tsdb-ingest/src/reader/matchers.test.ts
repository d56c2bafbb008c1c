import { describe, expect, it } from 'vitest';
import { TsdbError } from './errors.js';
import { parseSelector, re2ToRegExp } from './matchers.js';

describe('parseSelector', () => {
  it('parses a metric name and matchers of each kind', () => {
    const ms = parseSelector(
      'container_cpu_usage_seconds_total{namespace="openverso", pod=~"open5gs-amf-.*", ' +
        'container!="", image!~`.*pause.*`}',
    );
    expect(ms.map((m) => [m.name, m.type, m.value])).toEqual([
      ['__name__', '=', 'container_cpu_usage_seconds_total'],
      ['namespace', '=', 'openverso'],
      ['pod', '=~', 'open5gs-amf-.*'],
      ['container', '!=', ''],
      ['image', '!~', '.*pause.*'],
    ]);
  });
  it('anchors regexes fully, as Prometheus does', () => {
    const [m] = parseSelector('{pod=~"amf"}');
    expect(m!.matches('amf')).toBe(true);
    expect(m!.matches('open5gs-amf-1')).toBe(false);
  });
  it('unescapes Go string escapes', () => {
    const [m] = parseSelector('{room="caf\\u00e9 \\"q\\" \\\\ \\n"}');
    expect(m!.value).toBe('café "q" \\ \n');
  });
  it('translates RE2 flags', () => {
    expect(re2ToRegExp('(?s:.*)').test('a\nb')).toBe(true);
    expect(re2ToRegExp('.*').test('a\nb')).toBe(false);
    expect(re2ToRegExp('(?i)AMF').test('amf')).toBe(true);
    expect(re2ToRegExp('\\Qa.b\\E').test('a.b')).toBe(true);
    expect(re2ToRegExp('\\Qa.b\\E').test('axb')).toBe(false);
  });
  it.each(['', '{', '{a}', '{a="b"', '{a=~"("}', 'm{a="b" c="d"}', '{a="\\q"}', '{a=b}'])(
    'rejects %j with a typed error',
    (s) => {
      try {
        parseSelector(s);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TsdbError);
        expect((e as TsdbError).code).toBe('TSDB_BAD_MATCHER');
      }
    },
  );
});
