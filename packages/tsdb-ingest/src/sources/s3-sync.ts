import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import {
  DataNotFoundError,
  InputError,
  UsageError,
  silentLogger,
  silentProgress,
  withLockFile,
  makeDir,
} from '@amf-foresight/core';
import type { Logger, ProgressReporter, RunContext, Stage } from '@amf-foresight/core';
import type { BlockMeta } from '../reader/meta.js';
import { checkS3Options, inspectBlock, listBlockDirs, mapLimit, normPrefix, withRetry } from './s3-common.js';
import type { RemoteFile, S3Ctx } from './s3-common.js';
export { safeRelative } from './s3-common.js';

/** Where unfinished blocks live; listBlocks ignores names containing ".tmp". */
export const STAGING_DIR = '.tmp-sync';

export interface S3SyncOptions {
  bucket: string;
  /** Key prefix above the block directories, e.g. "prometheus/blocks" (slashes optional). */
  prefix?: string;
  /** Local cache directory; blocks appear there only when whole. */
  cacheDir: string;
  /** Only this block (the prototype's `block` env var). */
  block?: string;
  /** Only blocks overlapping [minTime, maxTime] (ms, inclusive). */
  minTime?: number;
  maxTime?: number;
  /** Files downloaded at once. */
  concurrency?: number;
  /** Attempts per file (stream cuts, bad sizes); the SDK retries requests on its own as well. */
  attempts?: number;
  /** An S3 client; otherwise one is made from `clientConfig` (region, endpoint, path style…). */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

export type BlockStatus = 'downloaded' | 'cached' | 'partial' | 'deletion-marked' | 'outside-window' | 'refused';

export interface SyncResult {
  blocks: { ulid: string; status: BlockStatus; minTime?: number; maxTime?: number; bytes?: number; reason?: string }[];
  bytesDownloaded: number;
  filesDownloaded: number;
}

/** What every step of one sync shares. */
interface Sync extends S3Ctx {
  o: S3SyncOptions;
  progress: ProgressReporter;
  result: SyncResult;
}

type Plan = { ulid: string; meta: BlockMeta; files: RemoteFile[] };

function checkOptions(o: S3SyncOptions): void {
  checkS3Options(o);
  if (o.minTime !== undefined && o.maxTime !== undefined && o.minTime > o.maxTime) {
    throw new UsageError(
      'BAD_WINDOW',
      `the window start ${new Date(o.minTime).toISOString()} is after its end ${new Date(o.maxTime).toISOString()}`,
      { flag: '--start' },
    );
  }
}

/** A block's files and meta.json: what to fetch, or why not (recorded in the result). */
async function planBlock(x: Sync, ulid: string): Promise<Plan | undefined> {
  const r = await inspectBlock(x, ulid);
  const skip = (status: BlockStatus, why: string, extra: Partial<SyncResult['blocks'][number]> = {}) => {
    if (status === 'refused') x.log.warn(`block ${ulid} refused: ${why}`);
    else if (why) x.log.info(`block ${ulid} skipped: ${why}`);
    x.result.blocks.push({ ulid, status, ...extra });
  };
  if ('skipped' in r) {
    skip(r.skipped, r.reason, r.skipped === 'refused' ? { reason: r.reason } : {});
    return;
  }
  const { meta, files: dataFiles } = r;
  const range = { minTime: meta.minTime, maxTime: meta.maxTime };
  const { minTime, maxTime } = x.o;
  if (!((minTime === undefined || minTime < meta.maxTime) && (maxTime === undefined || meta.minTime <= maxTime))) {
    skip('outside-window', '', range);
    return;
  }
  if (isCached(join(x.o.cacheDir, ulid), dataFiles)) {
    skip('cached', '', range);
    return;
  }
  return { ulid, meta, files: dataFiles };
}

/** Downloads the planned blocks: data files in parallel, then each meta.json and the rename that shows the block. */
async function fetchBlocks(x: Sync, plans: Plan[]): Promise<void> {
  const { o, result } = x;
  const get = async (ulid: string, file: RemoteFile) => {
    const n = await download(
      x.client,
      o.bucket,
      file,
      join(o.cacheDir, STAGING_DIR, ulid, file.rel),
      x.attempts,
      x.log,
      x.progress,
      x.signal,
    );
    result.bytesDownloaded += n;
    if (n > 0) result.filesDownloaded++;
  };
  const jobs = plans.flatMap((p) => p.files.filter((f) => f.rel !== 'meta.json').map((f) => ({ plan: p, file: f })));
  await mapLimit(jobs, o.concurrency ?? 4, ({ plan, file }) => get(plan.ulid, file));
  for (const plan of plans) {
    await get(
      plan.ulid,
      plan.files.find((f) => f.rel === 'meta.json')!,
    );
    const final = join(o.cacheDir, plan.ulid);
    if (existsSync(final)) rmSync(final, { recursive: true, force: true }); // an older, incomplete copy
    renameSync(join(o.cacheDir, STAGING_DIR, plan.ulid), final);
    const bytes = plan.files.reduce((a, f) => a + f.size, 0);
    result.blocks.push({
      ulid: plan.ulid,
      status: 'downloaded',
      minTime: plan.meta.minTime,
      maxTime: plan.meta.maxTime,
      bytes,
    });
    x.log.info(`block ${plan.ulid} complete (${plan.files.length} files, ${bytes} bytes)`);
  }
}

/**
 * Syncs Prometheus/Thanos blocks from `s3://bucket/prefix/<ULID>/` into a local cache.
 *
 * Invariants:
 * - meta.json is uploaded last, so a block without it is partial and skipped; a block with
 *   deletion-mark.json is going away and skipped.
 * - Files are written as `name.part`, size- (and MD5-, when the ETag is one) checked, then
 *   renamed; a block is assembled under `.tmp-sync/<ULID>/` and renamed into the cache only
 *   when every file is there, so a listed block is always whole.
 * - An interrupted sync resumes: finished files in the staging directory are not fetched again,
 *   and blocks already in the cache with the remote sizes are left alone.
 */
export async function syncFromS3(o: S3SyncOptions, ctx: Partial<RunContext> = {}): Promise<SyncResult> {
  checkOptions(o);
  makeDir(o.cacheDir);
  // Two syncs into one cache would fight over its staging directory: the second is refused.
  const busy = (pid: number) =>
    new InputError('CACHE_LOCKED', `another download (process ${pid}) is syncing into ${o.cacheDir}`, {
      file: o.cacheDir,
      hint: 'wait for it to finish, or give another --local-path',
    });
  return withLockFile(join(o.cacheDir, '.lock'), busy, () => syncLocked(o, ctx));
}

async function syncLocked(o: S3SyncOptions, ctx: Partial<RunContext>): Promise<SyncResult> {
  const x: Sync = {
    o,
    client: o.client ?? new S3Client({ ...o.clientConfig }),
    bucket: o.bucket,
    block: o.block,
    prefix: normPrefix(o.prefix),
    attempts: o.attempts ?? 5,
    log: ctx.logger ?? silentLogger,
    progress: ctx.progress ?? silentProgress,
    signal: ctx.signal,
    result: { blocks: [], bytesDownloaded: 0, filesDownloaded: 0 },
  };
  const wanted = await listBlockDirs(x);
  x.log.info(`found ${wanted.length} block directories under s3://${o.bucket}/${x.prefix}`);
  if (wanted.length === 0)
    throw new DataNotFoundError('NO_BLOCKS', `no TSDB blocks under s3://${o.bucket}/${x.prefix}`, {
      hint: 'check --bucket and --prefix (env: bucket, prefix): blocks are <prefix>/<ULID>/meta.json',
    });
  makeDir(join(o.cacheDir, STAGING_DIR));
  const plans: Plan[] = [];
  for (const ulid of wanted) {
    const plan = await planBlock(x, ulid);
    if (plan) plans.push(plan);
  }
  x.progress.start(
    'download',
    plans.reduce((a, p) => a + p.files.reduce((b, f) => b + f.size, 0), 0),
    'bytes',
  );
  await fetchBlocks(x, plans);
  x.progress.done(`${x.result.filesDownloaded} files, ${x.result.bytesDownloaded} bytes`);
  if (readdirSync(join(o.cacheDir, STAGING_DIR)).length === 0)
    rmSync(join(o.cacheDir, STAGING_DIR), { recursive: true, force: true });
  x.result.blocks.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
  return x.result;
}

function isCached(dir: string, files: readonly RemoteFile[]): boolean {
  if (!existsSync(join(dir, 'meta.json'))) return false;
  return files.every((f) => {
    try {
      return statSync(join(dir, f.rel)).size === f.size;
    } catch {
      return false;
    }
  });
}

/**
 * Downloads one file to `dest` through `dest.part`, checking size and (single-part ETag) MD5.
 * Returns the bytes fetched: 0 when `dest` was already complete (an earlier, interrupted run).
 */
async function download(
  client: S3Client,
  bucket: string,
  f: RemoteFile,
  dest: string,
  attempts: number,
  log: Logger,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<number> {
  if (existsSync(dest) && statSync(dest).size === f.size) {
    progress.advance(f.size);
    return 0;
  }
  makeDir(dirname(dest));
  const part = `${dest}.part`;
  const md5able = f.etag !== undefined && /^[0-9a-f]{32}$/.test(f.etag);
  return withRetry(`get s3://${bucket}/${f.key}`, bucket, attempts, log, signal, async () => {
    let got = 0;
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: f.key }), { abortSignal: signal });
      const hash = createHash('md5');
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          got += chunk.length;
          hash.update(chunk);
          progress.advance(chunk.length);
          cb(null, chunk);
        },
      });
      await pipeline(r.Body as Readable, counter, createWriteStream(part), ...(signal ? [{ signal }] : []));
      if (got !== f.size) throw new Error(`got ${got} bytes, listed size is ${f.size}`);
      const md5 = hash.digest('hex');
      if (md5able && md5 !== f.etag) throw new Error(`MD5 ${md5} differs from ETag ${f.etag}`);
      renameSync(part, dest);
      return got;
    } catch (e) {
      rmSync(part, { force: true });
      progress.advance(-got);
      throw e;
    }
  });
}

/** The sync as a pipeline stage: input is ignored, output is the sync result. */
export function s3SyncStage(o: S3SyncOptions): Stage<unknown, SyncResult> {
  return {
    name: 'download',
    run: async (_input, ctx) => {
      const r = await syncFromS3(o, ctx);
      ctx.record({ cacheDir: o.cacheDir, blocks: r.blocks.length, files: r.filesDownloaded, bytes: r.bytesDownloaded });
      return r;
    },
  };
}
