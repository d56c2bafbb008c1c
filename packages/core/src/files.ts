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
