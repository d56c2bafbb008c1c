import { makeDir } from '@amf-foresight/core';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger, ProgressReporter } from '@amf-foresight/core';
import type { Io } from './io.js';

export interface Verbosity {
  quiet?: boolean;
  verbose?: boolean;
}

const units = (n: number, unit: string) =>
  unit === 'bytes' ? `${(n / 1048576).toFixed(1)} MiB` : `${Math.round(n)} ${unit}`;

/**
 * The terminal side of a command: log lines on stderr (warnings and errors always, info unless
 * --quiet, debug with --verbose) and progress. On a terminal (stderr is one) progress is one
 * updating line, cleared before any log line so the two never run together; elsewhere it is a
 * plain line at most every 5 s and at the end, with no control characters.
 */
export function consoleOutput(io: Io, v: Verbosity = {}): { logger: Logger; progress: ProgressReporter } {
  let open = false;
  const clear = () => {
    if (open) io.err('\r\x1b[K');
    open = false;
  };
  const line = (level: string, msg: string) => {
    clear();
    io.err(`${level === 'info' ? '' : `${level}: `}${msg}\n`);
  };
  const logger: Logger = {
    debug: (m) => {
      if (v.verbose) line('debug', m);
    },
    info: (m) => {
      if (!v.quiet) line('info', m);
    },
    warn: (m) => line('warning', m),
    error: (m) => line('error', m),
  };
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
    const pct = total ? ` ${((100 * done) / total).toFixed(0)} %,` : '';
    const text = `${task}:${pct} ${units(done, unit)}${total ? ` of ${units(total, unit)}` : ''}, ${secs.toFixed(0)} s`;
    if (io.isTTY && !final) {
      io.err(`\r${text}\x1b[K`);
      open = true;
    } else if (!io.isTTY) io.err(`${text}\n`);
  };
  const progress: ProgressReporter = {
    start(name, tot, u = 'items') {
      [task, total, unit, done] = [name, tot, u, 0];
      t0 = last = Date.now();
    },
    advance(by) {
      done += by;
      show(false);
    },
    done(summary) {
      clear();
      if (!v.quiet && summary) io.err(`${task}: ${summary} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    },
  };
  return { logger, progress };
}

/** Appends every record, with a timestamp and level, to a log file (the prototype's logs/ folder). */
export function fileLogger(path: string): Logger {
  makeDir(dirname(path));
  const line = (level: string, msg: string) =>
    appendFileSync(path, `${new Date().toISOString()} ${level.toUpperCase()} ${msg}\n`);
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

/** logs/<command>-<UTC time>-<random>.log: one file per run, also for runs started in the same second. */
export function runLogPath(logsDir: string, command: string): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return join(logsDir, `${command}-${time}-${Math.random().toString(36).slice(2, 6)}.log`);
}
