import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** An operating-system error of a write names the file (a write on a descriptor, ENOSPC, has no path). */
function naming(e: unknown, path: string): unknown {
  const sys = e as { code?: unknown; path?: unknown } | null;
  if (sys && typeof sys === 'object' && typeof sys.code === 'string' && sys.path === undefined) sys.path = path;
  return e;
}

/**
 * Writes `data` to `path` through a temporary file in the same directory and a rename, so no
 * reader ever sees half a file and a failure leaves nothing behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw naming(e, path);
  }
}

/**
 * Writes several files so that either all of them appear or none does: each goes to a
 * temporary name first, and only when every one is written are they renamed into place.
 */
export function writeFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[]): void {
  const tmps: string[] = [];
  let at = '';
  try {
    for (const f of files) {
      const tmp = `${f.path}.tmp-${process.pid}`;
      tmps.push(tmp);
      at = f.path;
      writeFileSync(tmp, f.data);
    }
    files.forEach((f, i) => {
      at = f.path;
      renameSync(tmps[i]!, f.path);
    });
  } catch (e) {
    // Nothing half-written stays: every temporary file not renamed yet goes (a failed rename too).
    for (const t of tmps) rmSync(t, { force: true });
    throw naming(e, at);
  }
}

/** Whether a process with this id is running (a lock's owner, a run's). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `lockFile` (created exclusively, holding our pid). A lock whose process is gone
 * is taken over; a live one is refused with `busy(pid)`. The lock is removed when `fn` settles.
 */
export async function withLockFile<T>(
  lockFile: string,
  busy: (pid: number) => Error,
  fn: () => Promise<T>,
): Promise<T> {
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lockFile, 'utf8'));
      if (processAlive(pid)) throw busy(pid);
      rmSync(lockFile, { force: true }); // its owner was killed
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's makeDir(…) never returns for a
 * path under /proc (issue 13); this one fails there with ENOENT like any other unwritable place.
 */
export function makeDir(path: string): void {
  if (existsSync(path)) return; // a file in the way fails at the first write into it, with ENOTDIR
  const parent = dirname(path);
  if (parent !== path) makeDir(parent);
  try {
    mkdirSync(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
}
