import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '@amf-foresight/core';
import { fixtureDir } from '../reader/fixtures.test-util.js';
import { listBlocks } from '../reader/block.js';
import { createBucket, filesUnder, startMoto, tempDirs, uploadDir } from '@amf-foresight/test-servers';
import type { Moto } from '@amf-foresight/test-servers';
import { syncFromS3 } from './s3-sync.js';

const SRC = fixtureDir('blocks');
const GOOD = listBlocks(SRC).blocks.map((b) => b.meta.ulid);
const PARTIAL = '01HPARTXAA0000000000000000';
const DELETED = '01HDE7ETED0000000000000000';
const EVIL = '01HEVXKEY00000000000000000';
let moto: Moto;
const dirs = tempDirs('amf-s3-');
const tmp = dirs.make;

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.client, 'tsdb');
  await uploadDir(moto.client, 'tsdb', 'prom/blocks', SRC);
  // A partial upload: every file but meta.json. A deletion-marked block. A key escaping its block.
  const some = join(SRC, GOOD[0]!);
  await uploadDir(moto.client, 'tsdb', `prom/blocks/${PARTIAL}`, some, (f) => f === 'meta.json');
  await uploadDir(moto.client, 'tsdb', `prom/blocks/${DELETED}`, some);
  await moto.client.send(
    new PutObjectCommand({
      Bucket: 'tsdb',
      Key: `prom/blocks/${DELETED}/deletion-mark.json`,
      Body: '{"id":"x","deletion_time":1,"version":1}',
    }),
  );
  await uploadDir(moto.client, 'tsdb', `prom/blocks/${EVIL}`, some);
  await moto.client.send(
    new PutObjectCommand({ Bucket: 'tsdb', Key: `prom/blocks/${EVIL}/../../../escape`, Body: 'x' }),
  );
}, 120_000);

afterAll(async () => {
  await (moto as Moto | undefined)?.stop();
  dirs.cleanup();
});

function sameAsSource(cache: string, ulids: readonly string[]): void {
  const want = ulids.flatMap((u) => filesUnder(join(SRC, u)).map((f) => join(u, f))).sort();
  expect(filesUnder(cache)).toEqual(want);
  for (const f of want) expect(readFileSync(join(cache, f)).equals(readFileSync(join(SRC, f))), f).toBe(true);
}

describe('syncFromS3 against a real S3 API server (moto) on 127.0.0.1', () => {
  it('copies the good blocks byte for byte and leaves out partial, deletion-marked and escaping ones', async () => {
    const cache = tmp();
    const log = new MemoryLogger();
    const r = await syncFromS3(
      { bucket: 'tsdb', prefix: 'prom/blocks', cacheDir: cache, client: moto.client },
      { logger: log },
    );
    sameAsSource(cache, GOOD);
    const status = Object.fromEntries(r.blocks.map((b) => [b.ulid, b.status]));
    expect(status[PARTIAL]).toBe('partial');
    expect(status[DELETED]).toBe('deletion-marked');
    expect(status[EVIL]).toBe('refused');
    expect(GOOD.every((u) => status[u] === 'downloaded')).toBe(true);
    expect(listBlocks(cache).blocks.map((b) => b.meta.ulid)).toEqual(GOOD);
    expect(JSON.stringify(log.records)).not.toContain('testing'); // the credentials
    // A second run has nothing to do.
    const again = await syncFromS3({ bucket: 'tsdb', prefix: '/prom/blocks/', cacheDir: cache, client: moto.client });
    expect(again.filesDownloaded).toBe(0);
    expect(again.bytesDownloaded).toBe(0);
    expect(again.blocks.filter((b) => b.status === 'cached').map((b) => b.ulid)).toEqual(GOOD);
  });

  it('downloads only blocks overlapping the window, or the one block asked for', async () => {
    const metas = listBlocks(SRC).blocks.map((b) => b.meta);
    const cache = tmp();
    const r = await syncFromS3({
      bucket: 'tsdb',
      prefix: 'prom/blocks',
      cacheDir: cache,
      client: moto.client,
      minTime: metas[1]!.minTime + 1,
      maxTime: metas[2]!.minTime + 1,
    });
    expect(r.blocks.filter((b) => b.status === 'downloaded').map((b) => b.ulid)).toEqual([
      metas[1]!.ulid,
      metas[2]!.ulid,
    ]);
    sameAsSource(cache, [metas[1]!.ulid, metas[2]!.ulid]);
    const one = tmp();
    await syncFromS3({
      bucket: 'tsdb',
      prefix: 'prom/blocks',
      cacheDir: one,
      client: moto.client,
      block: metas[3]!.ulid,
    });
    sameAsSource(one, [metas[3]!.ulid]);
  });

  it('says clearly when the bucket does not exist or no bucket is configured', async () => {
    await expect(syncFromS3({ bucket: 'nope', cacheDir: tmp(), client: moto.client })).rejects.toMatchObject({
      code: 'S3_NO_SUCH_BUCKET',
      exitCode: 2,
    });
    await expect(syncFromS3({ bucket: '', cacheDir: tmp(), client: moto.client })).rejects.toMatchObject({
      code: 'S3_NO_BUCKET',
      exitCode: 2,
    });
  });
});
