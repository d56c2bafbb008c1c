import {
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { UsageError, processAlive, writeFilesAtomic, makeDir } from '@amf-foresight/core';
import type { ArtifactStore } from '@amf-foresight/core';

/** A sortable, unique run id: UTC time and a random suffix. */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Where a run's files go.
 * - `run`: `runsDir/<runId>/`, written as `runsDir/.tmp-<runId>/` and renamed when complete;
 *   `runsDir/latest` then points at it (unless `latest: false`). An existing, non-empty
 *   directory of that name is refused: a finished run is never written over.
 * - `files`: the files are put into `dir` when complete, each replacing one of the same name
 *   (`process --out-dir`, `generate --out`).
 */
export type RunTarget =
  { kind: 'run'; runsDir: string; runId?: string; latest?: boolean } | { kind: 'files'; dir: string };

/** The store of a run being written: files under its temporary directory. */
export function directoryStore(root: string): ArtifactStore {
  return {
    path(name) {
      const p = join(root, name);
      makeDir(dirname(p));
      return p;
    },
    write(files) {
      writeFilesAtomic(files.map((f) => ({ path: this.path(f.name), data: f.data })));
    },
  };
}

/** Where a running run records its process id (inside its temporary directory). */
export const OWNER_FILE = join('.work', 'owner');
const STALE_WITHOUT_OWNER_MS = 3_600_000;

/**
 * Removes what killed runs left in `dir` (SIGKILL, a second Ctrl-C): temporary directories named
 * `prefix…` whose owner process is gone, or, with no owner recorded, untouched for an hour.
 */
export function removeStaleTemps(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    const owner = join(path, OWNER_FILE);
    const pid = existsSync(owner) ? Number(readFileSync(owner, 'utf8')) : undefined;
    const stale =
      pid !== undefined ? !processAlive(pid) : Date.now() - lstatSync(path).mtimeMs > STALE_WITHOUT_OWNER_MS;
    if (stale) {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}

/** The temporary directory of a run and, once complete, where it goes; stale ones of killed runs are removed. */
export function openTarget(t: RunTarget, runId: string): { tmp: string; final: string } {
  // Beside the target, so that a failed run leaves not even an empty target directory.
  if (t.kind === 'files') {
    removeStaleTemps(dirname(t.dir), `.${basename(t.dir)}.tmp-`);
    return { tmp: join(dirname(t.dir), `.${basename(t.dir)}.tmp-${runId}`), final: t.dir };
  }
  removeStaleTemps(t.runsDir, '.tmp-');
  const final = join(t.runsDir, runId);
  if (existsSync(final) && readdirSync(final).length > 0) {
    throw new UsageError('RUN_DIR_EXISTS', `${final} exists and is not empty: a finished run is never written over`, {
      file: final,
      flag: '--out-dir',
      hint: 'name a new directory, or leave --out-dir out for a new run under --runs-dir',
    });
  }
  return { tmp: join(t.runsDir, `.tmp-${runId}`), final };
}

/** Moves a complete run into place. */
export function commitTarget(t: RunTarget, tmp: string, final: string, runId: string): void {
  if (t.kind === 'run') {
    if (existsSync(final)) rmSync(final, { recursive: true }); // empty, checked when opened
    renameSync(tmp, final);
    if (t.latest !== false) pointLatest(t.runsDir, runId);
    return;
  }
  makeDir(final);
  const names = readdirSync(tmp);
  // A file never replaces a directory: `--out x.parquet` naming a directory of the user's is refused
  // before anything is moved (it was deleted with all it held). A directory replaces one of its name.
  for (const name of names) {
    const dest = join(final, name);
    if (existsSync(dest) && lstatSync(dest).isDirectory() && !lstatSync(join(tmp, name)).isDirectory())
      throw new UsageError('OUT_IS_A_DIRECTORY', `${dest} is a directory; the output file cannot replace it`, {
        file: dest,
        hint: 'name a file that is not a directory',
      });
  }
  for (const name of names) {
    const dest = join(final, name);
    if (existsSync(dest) && lstatSync(dest).isDirectory()) rmSync(dest, { recursive: true });
    renameSync(join(tmp, name), dest);
  }
  rmSync(tmp, { recursive: true, force: true });
}

/** runs/latest → the newest run (a relative symlink, replaced atomically). */
function pointLatest(runsDir: string, runId: string): void {
  const link = join(runsDir, 'latest');
  const tmpLink = join(runsDir, `.latest-${runId}`);
  try {
    symlinkSync(runId, tmpLink);
    renameSync(tmpLink, link);
  } catch {
    try {
      if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
    } catch {
      // no previous link
    }
  }
}

/**
 * The samples of the newest run that has some (`runs/<id>/samples`): the prototype's `--generate`
 * alone reads the data its last `--process` dumped, whatever ran in between.
 */
export function latestSamplesDir(runsDir: string): string | undefined {
  if (!existsSync(runsDir)) return undefined;
  // Newest by when the run was completed: ids of runs within one second do not sort by time.
  const withSamples = readdirSync(runsDir)
    .filter((n) => !n.startsWith('.') && n !== 'latest' && existsSync(join(runsDir, n, 'samples', 'samples.parquet')))
    .map((n) => ({
      n,
      t: statSync(join(runsDir, n, existsSync(join(runsDir, n, 'run.json')) ? 'run.json' : 'samples')).mtimeMs,
    }))
    .sort((a, b) => b.t - a.t || (a.n < b.n ? 1 : -1));
  return withSamples[0] && join(runsDir, withSamples[0].n, 'samples');
}

/** Versions of node and of every @amf-foresight package installed, for run.json. */
export function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { node: process.versions.node };
  for (const p of [
    'core',
    'tsdb-ingest',
    'features',
    'orchestrator',
    'models-arima',
    'models-seasonal',
    'models-prophet',
    'models-lstm',
  ]) {
    try {
      out[`@amf-foresight/${p}`] = (require(`@amf-foresight/${p}/package.json`) as { version: string }).version;
    } catch {
      // not installed: not part of this run
    }
  }
  return out;
}
