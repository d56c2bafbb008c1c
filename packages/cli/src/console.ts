import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger, ProgressReporter } from '@amf-foresight/core';
import type { Io } from './io.js';

export interface Verbosity {
  quiet?: boolean;
  verbose?: boolean;
}

/** Log lines on stderr: warnings and errors always, info unless --quiet, debug with --verbose. */
export function consoleLogger(io: Io, v: Verbosity = {}): Logger {
  const line = (level: string, msg: string) => io.err(`${level === 'info' ? '' : `${level}: `}${msg}\n`);
  return {
    debug: (m) => v.verbose && line('debug', m),
    info: (m) => !v.quiet && line('info', m),
    warn: (m) => line('warning', m),
    error: (m) => line('error', m),
  };
}

const units = (n: number, unit: string) => (unit === 'bytes' ? `${(n / 1048576).toFixed(1)} MiB` : `${n} ${unit}`);

/** One updating line on a terminal; otherwise a plain line at most every 5 s, and at the end. */
export function consoleProgress(io: Io, v: Verbosity = {}): ProgressReporter {
  let task = '';
  let total: number | undefined;
  let unit = '';
  let done = 0;
  let t0 = 0;
  let last = 0;
  const show = (final: boolean) => {
    if (v.quiet) return;
    const now = Date.now();
    if (!final && now - last < (io.isTTY ? 200 : 5000)) return;
    last = now;
    const secs = Math.max(0.001, (now - t0) / 1000);
    const pct = total ? ` ${((100 * done) / total).toFixed(0)}%` : '';
    const text = `${task}:${pct} ${units(done, unit)}${total ? ` of ${units(total, unit)}` : ''}, ${units(Math.round(done / secs), unit)}/s`;
    if (io.isTTY) io.err(`\r${text}\x1b[K${final ? '\n' : ''}`);
    else io.err(`${text}\n`);
  };
  return {
    start(name, tot, u = 'items') {
      task = name;
      total = tot;
      unit = u;
      done = 0;
      t0 = last = Date.now();
    },
    advance(by) {
      done += by;
      show(false);
    },
    done(summary) {
      show(true);
      if (summary && !v.quiet) io.err(`${task} done: ${summary}\n`);
    },
  };
}

/** Appends every record, with a timestamp and level, to a log file (the prototype's logs/ folder). */
export function fileLogger(path: string): Logger {
  mkdirSync(dirname(path), { recursive: true });
  const line = (level: string, msg: string) => appendFileSync(path, `${new Date().toISOString()} ${level.toUpperCase()} ${msg}\n`);
  return {
    debug: (m) => line('debug', m),
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
  };
}

export function teeLogger(...loggers: Logger[]): Logger {
  return {
    debug: (m, f) => loggers.forEach((l) => l.debug(m, f)),
    info: (m, f) => loggers.forEach((l) => l.info(m, f)),
    warn: (m, f) => loggers.forEach((l) => l.warn(m, f)),
    error: (m, f) => loggers.forEach((l) => l.error(m, f)),
  };
}

/** logs/<command>-<UTC timestamp>.log */
export function runLogPath(logsDir: string, command: string): string {
  return join(logsDir, `${command}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}.log`);
}
