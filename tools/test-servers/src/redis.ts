import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools.js';
import { freePort } from './moto.js';

export interface RedisServer {
  url: string;
  port: number;
  /** redis-cli against it: its output (throws on a failure). */
  cli(...args: string[]): string;
  /** Stops it (SHUTDOWN: with persistence its data is on disk), waits, and starts it again on the same port. */
  restart(pauseMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server (Debian's package) on 127.0.0.1, in its own temporary directory; `persist`
 * turns on the append-only file (every write fsynced), so a restart keeps the queue.
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  requireTool('redis-server', "run `make test`, which installs Debian's redis-server package");
  const dir = mkdtempSync(join(tmpdir(), 'amf-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
  ];
  const cli = (...a: string[]) => {
    const r = spawnSync('redis-cli', ['-p', String(port), ...a], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`redis-cli ${a.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  let proc: ChildProcess;
  const start = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
      if (r.stdout.trim() === 'PONG') return;
      if (i > 100) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  // SHUTDOWN NOSAVE (with the append-only file on, what was written is on disk already), then
  // SIGKILL if it has not gone in 5 s: a test's clean-up never hangs on it.
  const stopNow = () =>
    new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        res();
        return;
      }
      const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(kill);
        res();
      });
      spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { encoding: 'utf8', timeout: 5000 });
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    cli,
    restart: async (pauseMs = 1000) => {
      await stopNow();
      await new Promise((res) => setTimeout(res, pauseMs));
      await start();
    },
    stop: async () => {
      await stopNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
