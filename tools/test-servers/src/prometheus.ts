import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './tools.js';
import { freePort } from './moto.js';

export interface PromServer {
  url: string;
  stop(): Promise<void>;
}

export interface PromOptions {
  /** --storage.tsdb.max-block-duration (default 2h: no compaction of persisted blocks). */
  maxBlockDuration?: string;
  /** More flags, e.g. --web.enable-remote-write-receiver. */
  args?: string[];
}

/**
 * A real Prometheus server (Debian's 2.42) on 127.0.0.1 over `dataDir`, with nothing to scrape
 * and, by default, compaction off (min = max block duration), so it serves the blocks as they are.
 */
export async function startPrometheus(dataDir: string, options: PromOptions = {}): Promise<PromServer> {
  requireTool('prometheus', "run `make test`, which installs Debian's prometheus package");
  const port = await freePort();
  const cfg = join(dataDir, '..', `prometheus-${port}.yml`);
  writeFileSync(cfg, 'global:\n  scrape_interval: 1m\n');
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--storage.tsdb.min-block-duration=2h',
      `--storage.tsdb.max-block-duration=${options.maxBlockDuration ?? '2h'}`,
      '--log.level=warn',
      ...(options.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 200) {
      proc.kill();
      throw new Error(`prometheus did not become ready on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((res) => {
        proc.once('exit', () => res());
        proc.kill('SIGTERM');
      }),
  };
}

/** Prometheus over a copy of the blocks in `blocksDir` (it writes into its data directory); `stop` removes the copy. */
export async function startPrometheusOnCopy(blocksDir: string, options: PromOptions = {}): Promise<PromServer> {
  const root = mkdtempSync(join(tmpdir(), 'amf-prom-'));
  const data = join(root, 'data');
  mkdirSync(data);
  cpSync(blocksDir, data, { recursive: true });
  const s = await startPrometheus(data, options);
  return {
    url: s.url,
    stop: async () => {
      await s.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The lifecycle hooks of the test runner (vitest's beforeAll/afterAll): this package does not import one. */
export interface Hooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>): void;
}

/**
 * A Prometheus on a copy of `blocksDir` for the tests of one file: started before them, stopped
 * after them, then `cleanup` (the file's temporary directories). Returns the running server.
 */
export function prometheusForTests(blocksDir: string, hooks: Hooks, cleanup: () => void): () => PromServer {
  let prom: PromServer | undefined;
  hooks.beforeAll(async () => {
    prom = await startPrometheusOnCopy(blocksDir);
  }, 60_000);
  hooks.afterAll(async () => {
    await prom?.stop();
    cleanup();
  });
  return () => {
    if (!prom) throw new Error('Prometheus is not running (it starts in beforeAll)');
    return prom;
  };
}
