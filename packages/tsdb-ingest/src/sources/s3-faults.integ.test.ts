import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@amf-foresight/core';
import { REPO_ROOT, fixtureDir } from '../reader/fixtures.test-util.js';
import { listBlocks } from '../reader/block.js';
import { startFaultProxy, tempDirs } from '@amf-foresight/test-servers';
import { createBucket, filesUnder, s3Client, startMoto, uploadDir } from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { syncFromS3 } from './s3-sync.js';

const SRC = fixtureDir('blocks');
const SAMPLE = join(REPO_ROOT, 'packages/cli/sample-data/blocks');
const CLI = join(REPO_ROOT, 'packages/cli/dist/bin.js');
let moto: Moto;
const dirs = tempDirs('amf-s3f-');
const tmp = dirs.make;

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.client, 'tsdb');
  await uploadDir(moto.client, 'tsdb', 'blocks', SRC);
  await uploadDir(moto.client, 'tsdb', 'sample', SAMPLE);
}, 120_000);

afterAll(async () => {
  await (moto as Moto | undefined)?.stop();
  dirs.cleanup();
});

function expectSame(cache: string, src: string): void {
  const want = filesUnder(src);
  expect(filesUnder(cache)).toEqual(want);
  for (const f of want) expect(readFileSync(join(cache, f)).equals(readFileSync(join(src, f))), f).toBe(true);
}

describe('S3 sync through faults', () => {
  it('completes byte-identical through 503 SlowDown, listing errors, cut connections and slow bodies', async () => {
    const proxy = await startFaultProxy(moto.endpoint, {
      slowDownEvery: 4,
      cutEvery: 5,
      listErrorEvery: 3,
      bytesPerSecond: 4_000_000,
    });
    try {
      const cache = tmp();
      const log = new MemoryLogger();
      await syncFromS3(
        { bucket: 'tsdb', prefix: 'blocks', cacheDir: cache, client: s3Client(proxy.endpoint), attempts: 6 },
        { logger: log },
      );
      expectSame(cache, SRC);
      expect(proxy.stats.slowDowns).toBeGreaterThan(3);
      expect(proxy.stats.cuts).toBeGreaterThan(3);
      expect(proxy.stats.listErrors).toBeGreaterThan(1);
      expect(log.records.some((r) => r.level === 'warn' && r.message.startsWith('retrying'))).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('killed at random points 20 times, then re-run, ends byte-identical and never lists a partial block', async () => {
    const proxy = await startFaultProxy(moto.endpoint, { bytesPerSecond: 6_000_000, cutEvery: 7 });
    const cache = tmp();
    const env = {
      ...process.env,
      bucket: 'tsdb',
      prefix: 'sample',
      local_path: cache,
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    };
    const run = (killAfterMs?: number) =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'download', '--quiet'], { env, stdio: 'ignore' });
        const timer = killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        p.on('exit', (code) => {
          if (timer) clearTimeout(timer);
          resolve(code);
        });
      });
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    try {
      let killedMidway = 0;
      for (let i = 0; i < 20; i++) {
        const code = await run(150 + Math.floor(rnd() * 900));
        if (code === null) killedMidway++;
        // Whatever is listed is whole: every file of every listed block equals the source.
        for (const b of listBlocks(cache).blocks) expectSame(b.dir, join(SAMPLE, b.meta.ulid));
      }
      expect(killedMidway).toBeGreaterThan(5);
      expect(await run()).toBe(0);
      expectSame(cache, SAMPLE);
      expect(existsSync(join(cache, '.tmp-sync'))).toBe(false);
      expect(readdirSync(cache).length).toBe(readdirSync(SAMPLE).length);
    } finally {
      await proxy.close();
    }
  }, 300_000);
});
