import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@amf-foresight/test-servers';
import { main } from './main.js';

export { tempDirs } from '@amf-foresight/test-servers';

/** Every publishable package, in dependency order. */
export const PACKAGES = [
  'core',
  'tsdb-ingest',
  'features',
  'recommend',
  'models-seasonal',
  'models-arima',
  'models-prophet',
  'models-lstm',
  'orchestrator',
  'fleet-queue',
  'cli',
] as const;

/**
 * Packs `packages` (built: `make build` first) into `work` and installs those tarballs alone in a
 * fresh ESM project `work/app`; returns its path.
 */
export function installTarballs(packages: readonly string[], work: string): string {
  const tarballs = packages.map((p) => {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: join(REPO_ROOT, 'packages', p),
      encoding: 'utf8',
    });
    return join(work, out.trim().split('\n').pop()!);
  });
  const app = join(work, 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', ...tarballs], { cwd: app, stdio: 'pipe' });
  return app;
}

/** The built CLI (`make build` first), run as users run it. */
export const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * The built CLI in its own process in `cwd`, with only PATH, HOME (= cwd unless given) and `env`;
 * `onSpawn` gets the child (to signal it). Resolves when it has exited.
 */
export function spawnCli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onSpawn?: (p: ReturnType<typeof spawn>) => void,
): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    onSpawn?.(p);
    p.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** Runs the CLI in-process, capturing stdout and stderr. */
/** Commands that write a run log (the pipeline's flags start with --): in tests, not into the repository's logs/. */
const LOGGING = new Set(['train', 'process', 'generate', 'demo']);

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const logs = (LOGGING.has(args[0] ?? '') || args[0]?.startsWith('--')) && !args.includes('--logs-dir');
  const argv = logs ? [...args, '--logs-dir', join(tmpdir(), 'amf-foresight-test-logs')] : args;
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), isTTY: false });
  return { code, out, err };
}
