import { UsageError } from './errors.js';

/**
 * Parses a command-line time: the prototype's `%Y-%m-%d %H:%M:%S` (UTC unless an offset is
 * given), a date alone, ISO 8601, or milliseconds since the epoch. Returns int64 ms.
 */
export function parseTime(value: string, flag: string): number {
  const s = value.trim();
  if (/^-?\d{10,}$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', se = '00', frac = '', tz] = m;
    const offset =
      tz === undefined || tz === '' || tz === 'Z' ? 'Z' : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${se}${frac}${offset}`;
    const t = Date.parse(iso);
    const back = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (!Number.isNaN(t) && back.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(se) < 60)
      return t;
  }
  throw new UsageError('BAD_TIME', `${flag} ${JSON.stringify(value)} is not a time`, {
    flag,
    hint: `write it as "YYYY-MM-DD HH:MM:SS" (UTC), e.g. ${flag} "2023-06-06 14:00:00"`,
  });
}

/** Checks a window given as two parsed times. */
export function checkWindow(start: number, end: number, flags: [string, string] = ['--start', '--end']): void {
  if (!(start < end)) {
    throw new UsageError(
      'BAD_WINDOW',
      `${flags[0]} ${new Date(start).toISOString()} must be before ${flags[1]} ${new Date(end).toISOString()}`,
      { flag: flags[0] },
    );
  }
}

export function formatTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$/, '')
    .replace(/Z$/, '');
}

/** A Prometheus-style duration ("90s", "5m", "1h", "1d", or plain milliseconds) in ms. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
  const ms = m ? Number(m[1]) * (m[2] ? unit[m[2] as keyof typeof unit] : 1) : NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new UsageError('BAD_DURATION', `${flag} ${JSON.stringify(value)} is not a duration`, {
      flag,
      hint: `write it like 30s, 5m or 1h`,
    });
  }
  return Math.round(ms);
}
