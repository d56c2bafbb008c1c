/**
 * Text formats of `promtool tsdb dump` (2.42, docs/TSDB_FORMAT.md §11): Go's %g for values and
 * strconv.Quote for label values.
 */

/**
 * Go `fmt` %g of a float64 (what promtool prints): the shortest round-trip digits, in
 * exponent form when the decimal exponent is < -4 or ≥ 6 (strconv uses precision 6 for
 * that choice when printing the shortest digits), with an exponent of at least two digits.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() without an argument gives the shortest round-trip digits, like Go.
  const e = v.toExponential();
  const k = e.indexOf('e');
  const mant = e.slice(0, k);
  const exp = Number(e.slice(k + 1));
  if (exp < -4 || exp >= 6) {
    const a = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  }
  const neg = v < 0;
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    body = frac.length > 0 ? `${int}.${frac}` : int;
  } else {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${body}` : body;
}

const HEX = '0123456789abcdef';

/**
 * Go strconv.Quote: escapes `"`, `\` and non-printable characters; keeps printable
 * non-ASCII as is. (Invalid UTF-8 cannot reach here: labels are decoded strings.)
 */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c < 0x80 || !isPrint(c)) {
      switch (c) {
        case 0x07:
          out += '\\a';
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        case 0x0b:
          out += '\\v';
          break;
        default:
          if (c < 0x80) out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
          else if (c === 0xfffd) out += ch;
          else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
          else out += `\\U${c.toString(16).padStart(8, '0')}`;
      }
    } else out += ch;
  }
  return out + '"';
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020. Other
// spaces (U+00A0, U+2000…) and format/control/private/unassigned code points are not printable.
const PRINT_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
function isPrint(c: number): boolean {
  return PRINT_RE.test(String.fromCodePoint(c));
}

/** `{name="value", …}` as promtool prints a label set: names byte-sorted, ", " between pairs. */
export function formatLabels(labels: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${labels[i]}=${quoteGo(labels[i + 1]!)}`;
  }
  return out + '}';
}
