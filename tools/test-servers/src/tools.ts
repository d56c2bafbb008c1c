import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Fails with how to get the tool when a command or file the tests need is missing. */
export function requireTool(path: string, how: string): string {
  const found = path.includes('/')
    ? existsSync(path)
    : (() => {
        try {
          execFileSync('sh', ['-c', `command -v ${path}`], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      })();
  if (!found) throw new Error(`${path} is missing: ${how}`);
  return path;
}

/** Temporary directories for one test file; call `cleanup` in afterAll. */
export function tempDirs(prefix: string): { make: () => string; cleanup: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup: () => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}
