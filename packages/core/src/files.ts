import { renameSync, rmSync, writeFileSync } from 'node:fs';

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
    throw e;
  }
}

/**
 * Writes several files so that either all of them appear or none does: each goes to a
 * temporary name first, and only when every one is written are they renamed into place.
 */
export function writeFilesAtomic(files: readonly { path: string; data: string | Uint8Array }[]): void {
  const tmps: string[] = [];
  try {
    for (const f of files) {
      const tmp = `${f.path}.tmp-${process.pid}`;
      tmps.push(tmp);
      writeFileSync(tmp, f.data);
    }
  } catch (e) {
    for (const t of tmps) rmSync(t, { force: true });
    throw e;
  }
  files.forEach((f, i) => renameSync(tmps[i]!, f.path));
}
