import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import {
  AmfError,
  DataNotFoundError,
  InputError,
  UsageError,
  silentLogger,
  silentProgress,
  withLockFile,
  makeDir,
} from '@amf-foresight/core';
import type { Logger, ProgressReporter, RunContext, Stage } from '@amf-foresight/core';
import { parseMeta } from '../reader/meta.js';
import type { BlockMeta } from '../reader/meta.js';
import { s3Error } from './s3-errors.js';

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
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

interface RemoteFile {
  key: string;
  rel: string;
  size: number;
  etag: string | undefined;
}

function normPrefix(p: string | undefined): string {
  const s = (p ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return s === '' ? '' : `${s}/`;
}

/** A path inside the block directory, or undefined for keys that would escape it. */
export function safeRelative(rel: string): string | undefined {
  if (rel === '' || rel.includes('\\') || rel.includes('\0') || isAbsolute(rel) || rel.startsWith('/'))
    return undefined;
  const n = normalize(rel);
  if (n.startsWith('..') || n.split(sep).some((part) => part === '..' || part === '')) return undefined;
  return n;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  });
  await Promise.all(workers);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });

/** What every step of one sync shares. */
interface Sync {
  o: S3SyncOptions;
  client: S3Client;
  prefix: string;
  attempts: number;
  log: Logger;
  progress: ProgressReporter;
  signal: AbortSignal | undefined;
  result: SyncResult;
}

type Plan = { ulid: string; meta: BlockMeta; files: RemoteFile[] };

function checkOptions(o: S3SyncOptions): void {
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1 && o.concurrency <= 64))
    throw new UsageError('BAD_CONCURRENCY', `--concurrency must be a whole number from 1 to 64, got ${o.concurrency}`, {
      flag: '--concurrency',
    });
  if (!o.bucket)
    throw new UsageError('S3_NO_BUCKET', 'no bucket configured', {
      flag: '--bucket',
      hint: 'pass --bucket or set the env var bucket (or AMF_FORESIGHT_BUCKET)',
    });
  if (o.minTime !== undefined && o.maxTime !== undefined && o.minTime > o.maxTime) {
    throw new UsageError(
      'BAD_WINDOW',
      `the window start ${new Date(o.minTime).toISOString()} is after its end ${new Date(o.maxTime).toISOString()}`,
      { flag: '--start' },
    );
  }
}

/** Every page of a listing under `prefix` (with `delimiter`, the common prefixes). */
async function listAll(x: Sync, prefix: string, delimiter?: string) {
  const pages = [];
  let token: string | undefined;
  do {
    try {
      const page = await x.client.send(
        new ListObjectsV2Command({
          Bucket: x.o.bucket,
          Prefix: prefix,
          Delimiter: delimiter,
          ContinuationToken: token,
        }),
        { abortSignal: x.signal },
      );
      pages.push(page);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } catch (e) {
      throw s3Error(e, `list s3://${x.o.bucket}/${prefix}`, x.o.bucket);
    }
  } while (token);
  return pages;
}

/** The block directories (ULIDs) under the prefix, or the one `block` names. */
async function listBlocksRemote(x: Sync): Promise<string[]> {
  const ulids = (await listAll(x, x.prefix, '/'))
    .flatMap((page) => page.CommonPrefixes ?? [])
    .map((cp) => (cp.Prefix ?? '').slice(x.prefix.length).replace(/\/$/, ''))
    .filter((name) => ULID_RE.test(name));
  const wanted = x.o.block ? ulids.filter((u) => u === x.o.block) : ulids;
  if (x.o.block && wanted.length === 0) {
    throw new AmfError(
      'S3_BLOCK_NOT_FOUND',
      `block ${x.o.block} is not under s3://${x.o.bucket}/${x.prefix}`,
      { hint: 'check the env var block or --block' },
      { exitCode: 3 },
    );
  }
  return wanted;
}

/** A block's files and meta.json: what to fetch, or why not (recorded in the result). */
async function planBlock(x: Sync, ulid: string): Promise<Plan | undefined> {
  const blockPrefix = `${x.prefix}${ulid}/`;
  const files: RemoteFile[] = [];
  let refused: string | undefined;
  for (const obj of (await listAll(x, blockPrefix)).flatMap((page) => page.Contents ?? [])) {
    const key = obj.Key ?? '';
    const rel = safeRelative(key.slice(blockPrefix.length));
    if (rel === undefined) refused = `key ${JSON.stringify(key)} would escape the block directory`;
    else files.push({ key, rel, size: obj.Size ?? 0, etag: obj.ETag?.replace(/"/g, '') });
  }
  const skip = (status: BlockStatus, why: string, extra: Partial<SyncResult['blocks'][number]> = {}) => {
    if (status === 'refused') x.log.warn(`block ${ulid} refused: ${why}`);
    else if (why) x.log.info(`block ${ulid} skipped: ${why}`);
    x.result.blocks.push({ ulid, status, ...extra });
  };
  if (refused) {
    skip('refused', refused, { reason: refused });
    return;
  }
  if (files.some((f) => f.rel === 'deletion-mark.json')) {
    skip('deletion-marked', 'marked for deletion');
    return;
  }
  const metaFile = files.find((f) => f.rel === 'meta.json');
  if (!metaFile) {
    skip('partial', 'no meta.json (partial upload)');
    return;
  }
  const metaBytes = await getBytes(x.client, x.o.bucket, metaFile.key, x.attempts, x.log, x.signal);
  const meta = parseMeta(metaBytes, `s3://${x.o.bucket}/${metaFile.key}`);
  const range = { minTime: meta.minTime, maxTime: meta.maxTime };
  const { minTime, maxTime } = x.o;
  if (!((minTime === undefined || minTime < meta.maxTime) && (maxTime === undefined || meta.minTime <= maxTime))) {
    skip('outside-window', '', range);
    return;
  }
  const dataFiles = files.filter((f) => /^(index|tombstones|meta\.json|chunks\/\d+)$/.test(f.rel.split(sep).join('/')));
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
    prefix: normPrefix(o.prefix),
    attempts: o.attempts ?? 5,
    log: ctx.logger ?? silentLogger,
    progress: ctx.progress ?? silentProgress,
    signal: ctx.signal,
    result: { blocks: [], bytesDownloaded: 0, filesDownloaded: 0 },
  };
  const wanted = await listBlocksRemote(x);
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

/** Runs `fn` until it succeeds, retrying failures that are not the caller's fault with backoff. */
async function withRetry<T>(
  what: string,
  bucket: string,
  attempts: number,
  log: Logger,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted) throw e;
      const err = e instanceof AmfError ? e : s3Error(e, what, bucket);
      if (err.code !== 'S3_FAILED' || attempt >= attempts) throw err;
      const wait = Math.min(8000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random());
      log.warn(`retrying ${what} in ${Math.round(wait)} ms (attempt ${attempt} of ${attempts}): ${err.message}`);
      await sleep(wait, signal);
    }
  }
}

async function getBytes(
  client: S3Client,
  bucket: string,
  key: string,
  attempts: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  return withRetry(`get s3://${bucket}/${key}`, bucket, attempts, log, signal, async () => {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return await r.Body!.transformToByteArray();
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
