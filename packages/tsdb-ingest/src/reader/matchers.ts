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

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** A cursor over one selector; every error names the position. */
class SelectorParser {
  i = 0;
  constructor(private readonly s: string) {}

  bad(why: string): never {
    throw new TsdbError(
      'TSDB_BAD_MATCHER',
      `cannot parse selector ${JSON.stringify(this.s)} at position ${this.i}: ${why}`,
      {
        hint: 'write a PromQL selector such as metric_name{label="value", other=~"re.*"}',
      },
    );
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  /** A metric name at the cursor, or undefined. */
  name(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (m) this.i += m[0].length;
    return m?.[0];
  }

  /** label op "value" */
  matcher(): Matcher {
    const name = this.name(LABEL_RE) ?? (this.s[this.i] === '"' ? this.string() : this.bad('expected a label name'));
    this.ws();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => this.s.startsWith(o, this.i));
    if (!op) return this.bad('expected one of = != =~ !~');
    this.i += op.length;
    this.ws();
    return makeMatcher(name, op, this.string());
  }

  /** A PromQL string: double- or single-quoted with Go escapes, or a raw backquoted one. */
  string(): string {
    const s = this.s;
    const q = s[this.i];
    if (q !== '"' && q !== "'" && q !== '`') return this.bad('expected a quoted string');
    this.i++;
    let out = '';
    while (this.i < s.length && s[this.i] !== q) {
      const c = s[this.i]!;
      if (c !== '\\' || q === '`') {
        out += c;
        this.i++;
        continue;
      }
      const e = s[this.i + 1] ?? '';
      this.i += 2;
      const n = HEX_ESCAPES[e];
      if (n !== undefined) out += this.hex(n);
      else out += ESCAPES[e] ?? this.bad(`unknown escape \\${e}`);
    }
    if (s[this.i] !== q) return this.bad('unterminated string');
    this.i++;
    return out;
  }

  hex(n: number): string {
    const h = this.s.slice(this.i, this.i + n);
    if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) return this.bad('bad hex escape');
    this.i += n;
    return String.fromCodePoint(parseInt(h, 16));
  }
}

/** Parses a PromQL series selector: `metric`, `metric{l="v",…}` or `{l=~"v",…}`. */
export function parseSelector(input: string): Matcher[] {
  const p = new SelectorParser(input);
  const matchers: Matcher[] = [];
  p.ws();
  const metric = p.name(NAME_RE);
  if (metric !== undefined) {
    matchers.push(makeMatcher('__name__', '=', metric));
    p.ws();
  }
  if (input[p.i] === '{') {
    p.i++;
    p.ws();
    while (input[p.i] !== '}') {
      matchers.push(p.matcher());
      p.ws();
      if (input[p.i] === ',') {
        p.i++;
        p.ws();
      } else if (input[p.i] !== '}') p.bad("expected ',' or '}'");
    }
    p.i++;
    p.ws();
  }
  if (p.i !== input.length) p.bad('unexpected text');
  if (matchers.length === 0) p.bad('empty selector');
  return matchers;
}
