import { TsdbError } from './errors.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
  /** True when a label value (`""` for an absent label) satisfies the matcher. */
  matches(v: string): boolean;
}

/**
 * Translates a Go RE2 pattern into a fully anchored JavaScript RegExp (Prometheus anchors
 * every regex matcher as ^(?:re)$). Handled: the flags (?s) (?i) (?m) (?U is refused) and
 * flag groups (?s:…), applied to the whole pattern; \z → $; \Q…\E literals. Patterns JS
 * cannot express raise TSDB_BAD_MATCHER instead of matching something else.
 */
export function re2ToRegExp(pattern: string, what = 'regex'): RegExp {
  let src = pattern;
  const flags = new Set<string>();
  src = src.replace(/\\Q([\s\S]*?)(\\E|$)/g, (_m, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  src = src.replace(/\(\?([imsU]+)(\)|:)/g, (_m, f: string, end: string) => {
    for (const c of f) flags.add(c);
    return end === ')' ? '' : '(?:';
  });
  if (flags.has('U'))
    throw new TsdbError(
      'TSDB_BAD_MATCHER',
      `${what} ${JSON.stringify(pattern)} uses the (?U) flag, which has no JavaScript equivalent`,
    );
  src = src.replace(/\(\?P</g, '(?<');
  src = src.replace(/\\z/g, '$');
  let js = 'u';
  if (flags.has('s')) js += 's';
  if (flags.has('i')) js += 'i';
  if (flags.has('m')) js += 'm';
  const anchored = `^(?:${src})$`;
  try {
    return new RegExp(anchored, js);
  } catch {
    try {
      // Unicode mode refuses some escapes RE2 accepts (e.g. \_ or \-): retry without it.
      return new RegExp(anchored, js.replace('u', ''));
    } catch (e) {
      throw new TsdbError(
        'TSDB_BAD_MATCHER',
        `${what} ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`,
      );
    }
  }
}

export function makeMatcher(name: string, type: MatchType, value: string): Matcher {
  switch (type) {
    case '=':
      return { name, type, value, matches: (v) => v === value };
    case '!=':
      return { name, type, value, matches: (v) => v !== value };
    case '=~': {
      const re = re2ToRegExp(value, `matcher ${name}=~`);
      return { name, type, value, matches: (v) => re.test(v) };
    }
    case '!~': {
      const re = re2ToRegExp(value, `matcher ${name}!~`);
      return { name, type, value, matches: (v) => !re.test(v) };
    }
  }
}

const NAME_RE = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** Parses a PromQL series selector: `metric`, `metric{l="v",…}` or `{l=~"v",…}`. */
export function parseSelector(input: string): Matcher[] {
  let i = 0;
  const s = input;
  const bad = (why: string): never => {
    throw new TsdbError('TSDB_BAD_MATCHER', `cannot parse selector ${JSON.stringify(input)} at position ${i}: ${why}`, {
      hint: 'write a PromQL selector such as metric_name{label="value", other=~"re.*"}',
    });
  };
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const matchers: Matcher[] = [];
  ws();
  NAME_RE.lastIndex = i;
  const nm = NAME_RE.exec(s);
  if (nm) {
    matchers.push(makeMatcher('__name__', '=', nm[0]));
    i += nm[0].length;
    ws();
  }
  if (s[i] === '{') {
    i++;
    ws();
    while (s[i] !== '}') {
      LABEL_RE.lastIndex = i;
      let name: string;
      const lm = LABEL_RE.exec(s);
      if (lm) {
        name = lm[0];
        i += name.length;
      } else if (s[i] === '"') {
        name = readString();
      } else {
        return bad('expected a label name');
      }
      ws();
      let op: MatchType;
      if (s.startsWith('=~', i)) op = '=~';
      else if (s.startsWith('!~', i)) op = '!~';
      else if (s.startsWith('!=', i)) op = '!=';
      else if (s[i] === '=') op = '=';
      else return bad('expected one of = != =~ !~');
      i += op.length;
      ws();
      const value = readString();
      matchers.push(makeMatcher(name, op, value));
      ws();
      if (s[i] === ',') {
        i++;
        ws();
      } else if (s[i] !== '}') {
        return bad("expected ',' or '}'");
      }
    }
    i++;
    ws();
  }
  if (i !== s.length) bad('unexpected text');
  if (matchers.length === 0) bad('empty selector');
  return matchers;

  function readString(): string {
    const q = s[i];
    if (q !== '"' && q !== "'" && q !== '`') return bad('expected a quoted string');
    i++;
    let out = '';
    while (i < s.length && s[i] !== q) {
      const c = s[i]!;
      if (c === '\\' && q !== '`') {
        const e = s[i + 1];
        i += 2;
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'a':
            out += '\x07';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'v':
            out += '\v';
            break;
          case '\\':
          case '"':
          case "'":
            out += e;
            break;
          case 'x':
            out += hex(2);
            break;
          case 'u':
            out += hex(4);
            break;
          case 'U':
            out += hex(8);
            break;
          default:
            return bad(`unknown escape \\${e ?? ''}`);
        }
      } else {
        out += c;
        i++;
      }
    }
    if (s[i] !== q) return bad('unterminated string');
    i++;
    return out;
  }
  function hex(n: number): string {
    const h = s.slice(i, i + n);
    if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) return bad('bad hex escape');
    i += n;
    return String.fromCodePoint(parseInt(h, 16));
  }
}
