import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Float64, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { REPO_ROOT, tempDirs } from '@amf-foresight/test-servers';
import { writeParquetFile } from '@amf-foresight/tsdb-ingest/parquet';

// The built CLI in its own process, against a hostile environment: a full disk, a read-only file
// system, a directory it may not write, /proc, and signals while it streams (issue 13, finding 2).
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const dirs = tempDirs('amf-environment-');
const root = process.getuid?.() === 0;
let work: string;
let data: string;

beforeAll(() => {
  work = dirs.make();
  data = join(work, 'd.parquet');
  const n = 6000;
  const t = new Table({
    unique_id: vectorFromArray(new Array<string>(n).fill('x'), new Utf8()),
    ds: vectorFromArray(
      Array.from({ length: n }, (_, i) => Date.UTC(2023, 5, 5) + i * 60_000),
      new TimestampMillisecond('UTC'),
    ),
    y: vectorFromArray(
      Array.from({ length: n }, (_, i) => 2 + Math.sin(i / 40)),
      new Float64(),
    ),
  });
  writeParquetFile(data, t, { kind: 'dataset', type: 'cpu', unit: 'cores' });
});
afterAll(dirs.cleanup);

interface Result {
  code: number | null;
  out: string;
  err: string;
}

/** `command` (argv) in `cwd`; `onSpawn` may signal the child. */
function run(command: string[], cwd: string, onSpawn?: (p: ReturnType<typeof spawn>) => void): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(command[0]!, command.slice(1), { cwd, env: { PATH: process.env.PATH ?? '', HOME: work } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    onSpawn?.(p);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const train = (runsDir: string) => [
  process.execPath,
  BIN,
  'train',
  '--data',
  data,
  '--model',
  'NAIVE',
  '--horizon',
  '12',
  '--windows',
  '2',
  '--runs-dir',
  runsDir,
  '--logs-dir',
  join(work, 'logs'),
  '--quiet',
];

/**
 * `command` with `dir` mounted as set up by `mount` (a shell line, $1 = dir), in a mount namespace of
 * its own: the mount vanishes with the process, whatever happens to the test. Afterwards the
 * namespace's shell lists what is left in `dir/runs`, on stdout.
 */
function inMountNamespace(mount: string, dir: string, command: string[]): Promise<Result> {
  const script = `${mount} || exit 99; shift; "$@"; code=$?; ls -A "$0/runs" 2>/dev/null; exit $code`;
  return run(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, dir, dir, ...command], work);
}

/** Whether this process may make mount namespaces (root in CI; elsewhere, say so and skip). */
function canMount(): boolean {
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a hostile environment: one line, exit 2, nothing left behind', () => {
  // As root (CI) these must run: a failure to mount is a failure, not a skip.
  it.skipIf(!root && !canMount())('a full disk as --runs-dir: SYSTEM_ENOSPC naming the file', async () => {
    const dir = join(dirs.make(), 'full');
    mkdirSync(dir);
    const r = await inMountNamespace('mount -t tmpfs -o size=256k amf-full "$1"', dir, train(join(dir, 'runs')));
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/full\/runs\/\.tmp-[^:]+: the disk is full \(write\) \[SYSTEM_ENOSPC\]$/m);
    expect(r.out.trim(), 'what the failed run left on the full disk').toBe('');
  });

  it.skipIf(!root && !canMount())('a read-only file system as --runs-dir: SYSTEM_EROFS', async () => {
    const dir = join(dirs.make(), 'ro');
    mkdirSync(dir);
    const r = await inMountNamespace(
      'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"',
      dir,
      train(join(dir, 'runs')),
    );
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/ro\/runs: the file system is read-only \(mkdir\) \[SYSTEM_EROFS\]$/m);
  });

  it('a --runs-dir it may not write (as a user without root’s override): SYSTEM_EACCES, not ENOENT', async () => {
    const runs = join(dirs.make(), 'runs');
    mkdirSync(runs);
    chmodSync(runs, 0o555);
    // Root writes anywhere; without CAP_DAC_OVERRIDE it obeys the mode bits like any user.
    const asUser = root ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search'] : [];
    const r = await run([...asUser, ...train(runs)], work);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(/runs\/\.tmp-[^:]+: permission denied \(mkdir\) \[SYSTEM_EACCES\]$/m);
    expect(readdirSync(runs)).toEqual([]);
  });

  it('--out-dir under /proc fails at once with SYSTEM_ENOENT (Node’s recursive mkdir spun there)', async () => {
    const t0 = performance.now();
    const r = await run([...train(join(work, 'runs')), '--out-dir', '/proc/amf-foresight-test'], work);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/\/proc\/\.tmp-amf-foresight-test: no such file or directory \(mkdir\) \[SYSTEM_ENOENT\]$/m);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});

describe('signals while a command streams or starts', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s in the middle of `tsdb dump` of the whole sample (1.5 GB of text) ends it with 130 at once',
    async (sig) => {
      let signalledAt = 0;
      const r = await run([process.execPath, BIN, 'tsdb', 'dump', SAMPLE], work, (p) => {
        let bytes = 0;
        p.stdout!.on('data', (d: Buffer) => {
          bytes += d.length;
          if (bytes > 5e6 && signalledAt === 0) {
            signalledAt = performance.now();
            p.kill(sig);
          }
        });
      });
      expect(signalledAt, 'the dump never printed 5 MB').toBeGreaterThan(0);
      expect(r.code).toBe(130);
      // The dump's query and its writes yield every 50 ms; a second covers a loaded machine.
      expect(performance.now() - signalledAt).toBeLessThan(1000);
    },
  );

  it('SIGTERM while `train` runs (as a container runtime stops it) cancels the run: 130, nothing kept', async () => {
    const runs = join(dirs.make(), 'runs');
    const args = train(runs).map((a) => (a === 'NAIVE' ? 'MSTL' : a)); // MSTL: seconds of fits
    let signalledAt = 0;
    const r = await run(args, work, (p) => {
      setTimeout(() => {
        signalledAt = performance.now();
        p.kill('SIGTERM');
      }, 1500);
    });
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/SIGTERM: cancelling the run/);
    expect(r.err).toMatch(/nothing of this run was kept \[CANCELLED\]/);
    expect(performance.now() - signalledAt).toBeLessThan(1500);
    expect(readdirSync(runs)).toEqual([]);
  });

  it('SIGTERM while the CLI is still loading its modules ends it with 130, not 143', async () => {
    // A module hook holds the load of main.js and says so: the signal then falls inside the load
    // whatever the machine's speed (a fixed 300 ms raced a fast start, which had exited with 0).
    const hooks = join(work, 'slow-main-hooks.mjs');
    writeFileSync(
      hooks,
      "import { writeSync } from 'node:fs';\n" +
        'export async function load(url, context, next) {\n' +
        '  if (/\\/dist\\/main-[^/]*\\.js$/.test(url)) {\n' +
        "    writeSync(2, 'loading main\\n');\n" +
        '    await new Promise((r) => setTimeout(r, 5000));\n' +
        '  }\n' +
        '  return next(url, context);\n' +
        '}\n',
    );
    const register = join(work, 'slow-main.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const started = performance.now();
    const r = await run(
      [process.execPath, '--import', pathToFileURL(register).href, BIN, 'tsdb', 'ls', SAMPLE],
      work,
      (p) => {
        p.stderr!.on('data', (d: Buffer) => {
          if (d.toString().includes('loading main')) p.kill('SIGTERM');
        });
      },
    );
    expect(r.err).toContain('loading main');
    expect(r.code).toBe(130);
    expect(r.out).toBe('');
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
