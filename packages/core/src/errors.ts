/**
 * Error classes shared by every package. Libraries throw these; only the CLI turns them
 * into exit codes (DESIGN §4: 2 bad usage or input, 3 data not found, 1 anything else).
 *
 * `instanceof` must keep working when two copies of this package end up in one process
 * (a CLI bundling one version, a plug-in another), so classes are recognised by a brand
 * registered in the global symbol registry rather than by prototype identity alone.
 */

const BRAND = Symbol.for('@amf-foresight/core/AmfError');

export interface AmfErrorDetails {
  /** File the error is about, when there is one. */
  file?: string;
  /** Section of a file or stage of a process, e.g. "index TOC", "chunk". */
  section?: string;
  /** Byte offset in `file` where known. */
  offset?: number;
  /** Command-line flag involved, e.g. "--start". */
  flag?: string;
  /** How to fix it, in one sentence. */
  hint?: string;
  /** Anything else worth keeping for logs or JSON output. */
  [key: string]: unknown;
}

export type ExitCode = 1 | 2 | 3 | 130;

export class AmfError extends Error {
  /** Stable, machine-readable code, e.g. `TSDB_BAD_CRC`. Never reworded once released. */
  readonly code: string;
  readonly details: AmfErrorDetails;
  /** Exit code the CLI uses for this error. */
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    details: AmfErrorDetails = {},
    options?: { cause?: unknown; exitCode?: ExitCode },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
    this.exitCode = options?.exitCode ?? 1;
    Object.defineProperty(this, BRAND, { value: this.name });
  }

  /** One line for humans: message, where, and how to fix. */
  describe(): string {
    const d = this.details;
    const where: string[] = [];
    if (d.file !== undefined) where.push(d.file);
    if (d.section !== undefined) where.push(d.section);
    if (d.offset !== undefined) where.push(`offset ${d.offset}`);
    let line = this.message;
    if (where.length > 0) line += ` (${where.join(', ')})`;
    if (d.hint !== undefined) line += `: ${d.hint}`;
    return line;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const brand = (value as Record<symbol, unknown>)[BRAND];
    if (typeof brand !== 'string') return false;
    // AmfError itself matches every branded error; subclasses match their own name or a
    // subclass of it (checked through the prototype chain of the local copy).
    if (this === AmfError) return true;
    return Function.prototype[Symbol.hasInstance].call(this, value) || brand === this.name;
  }
}

/** Bad command-line usage or option values (exit 2). */
export class UsageError extends AmfError {
  constructor(code: string, message: string, details: AmfErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, { ...options, exitCode: 2 });
  }
}

/** Input data that cannot be used: damaged or malformed files, wrong formats (exit 2). */
export class InputError extends AmfError {
  constructor(code: string, message: string, details: AmfErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, { ...options, exitCode: 2 });
  }
}

/** The data asked for does not exist, e.g. a window outside the available range (exit 3). */
export class DataNotFoundError extends AmfError {
  constructor(code: string, message: string, details: AmfErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, { ...options, exitCode: 3 });
  }
}

export function isAmfError(value: unknown): value is AmfError {
  return value instanceof AmfError;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the file name is too long',
  EIO: 'an input/output error',
};

/**
 * An operating-system error a user meets (full disk, permissions, a missing directory) as an
 * InputError (exit 2) with one line naming the path; undefined for anything else, which is a bug.
 */
export function fromSystemError(e: unknown): InputError | undefined {
  const sys = e as { code?: unknown; path?: unknown; syscall?: unknown } | null;
  const code = typeof sys?.code === 'string' ? sys.code : undefined;
  if (code === undefined || !(code in SYSTEM_ERRORS)) return undefined;
  const path = typeof sys?.path === 'string' ? `${sys.path}: ` : '';
  const op = typeof sys?.syscall === 'string' ? ` (${sys.syscall})` : '';
  return new InputError(`SYSTEM_${code}`, `${path}${SYSTEM_ERRORS[code]!}${op}`, {}, { cause: e });
}
