import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AmfError, UsageError, silentLogger, silentProgress } from '@amf-foresight/core';
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
  const log: Logger = ctx.logger ?? silentLogger;
  const progress: ProgressReporter = ctx.progress ?? silentProgress;
  const signal = ctx.signal;
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
  const client = o.client ?? new S3Client({ ...o.clientConfig });
  const prefix = normPrefix(o.prefix);
  const attempts = o.attempts ?? 5;
  const result: SyncResult = { blocks: [], bytesDownloaded: 0, filesDownloaded: 0 };

  // 1. Block directories under the prefix.
  const ulids: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
        { abortSignal: signal },
      );
    } catch (e) {
      throw s3Error(e, `list s3://${o.bucket}/${prefix}`, o.bucket);
    }
    for (const cp of page.CommonPrefixes ?? []) {
      const name = (cp.Prefix ?? '').slice(prefix.length).replace(/\/$/, '');
      if (ULID_RE.test(name)) ulids.push(name);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const wanted = o.block ? ulids.filter((u) => u === o.block) : ulids;
  if (o.block && wanted.length === 0) {
    throw new AmfError(
      'S3_BLOCK_NOT_FOUND',
      `block ${o.block} is not under s3://${o.bucket}/${prefix}`,
      { hint: 'check the env var block or --block' },
      { exitCode: 3 },
    );
  }
  log.info(`found ${wanted.length} block directories under s3://${o.bucket}/${prefix}`);

  mkdirSync(join(o.cacheDir, STAGING_DIR), { recursive: true });

  // 2. Per block: its files, meta.json first, then the rest into the staging directory.
  const plans: { ulid: string; meta: BlockMeta; files: RemoteFile[] }[] = [];
  for (const ulid of wanted) {
    const blockPrefix = `${prefix}${ulid}/`;
    const files: RemoteFile[] = [];
    let refused: string | undefined;
    let t: string | undefined;
    do {
      let page;
      try {
        page = await client.send(
          new ListObjectsV2Command({ Bucket: o.bucket, Prefix: blockPrefix, ContinuationToken: t }),
          { abortSignal: signal },
        );
      } catch (e) {
        throw s3Error(e, `list s3://${o.bucket}/${blockPrefix}`, o.bucket);
      }
      for (const obj of page.Contents ?? []) {
        const key = obj.Key ?? '';
        const rel = safeRelative(key.slice(blockPrefix.length));
        if (rel === undefined) {
          refused = `key ${JSON.stringify(key)} would escape the block directory`;
          continue;
        }
        files.push({ key, rel, size: obj.Size ?? 0, etag: obj.ETag?.replace(/"/g, '') });
      }
      t = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (t);
    if (refused) {
      log.warn(`block ${ulid} refused: ${refused}`);
      result.blocks.push({ ulid, status: 'refused', reason: refused });
      continue;
    }
    if (files.some((f) => f.rel === 'deletion-mark.json')) {
      log.info(`block ${ulid} skipped: marked for deletion`);
      result.blocks.push({ ulid, status: 'deletion-marked' });
      continue;
    }
    const metaFile = files.find((f) => f.rel === 'meta.json');
    if (!metaFile) {
      log.info(`block ${ulid} skipped: no meta.json (partial upload)`);
      result.blocks.push({ ulid, status: 'partial' });
      continue;
    }
    const metaBytes = await getBytes(client, o.bucket, metaFile.key, attempts, log, signal);
    const meta = parseMeta(metaBytes, `s3://${o.bucket}/${metaFile.key}`);
    const overlaps =
      (o.minTime === undefined || o.minTime < meta.maxTime) && (o.maxTime === undefined || meta.minTime <= o.maxTime);
    if (!overlaps) {
      result.blocks.push({ ulid, status: 'outside-window', minTime: meta.minTime, maxTime: meta.maxTime });
      continue;
    }
    const dataFiles = files.filter((f) =>
      /^(index|tombstones|meta\.json|chunks\/\d+)$/.test(f.rel.split(sep).join('/')),
    );
    if (isCached(join(o.cacheDir, ulid), dataFiles)) {
      result.blocks.push({ ulid, status: 'cached', minTime: meta.minTime, maxTime: meta.maxTime });
      continue;
    }
    plans.push({ ulid, meta, files: dataFiles });
  }

  const total = plans.reduce((a, p) => a + p.files.reduce((b, f) => b + f.size, 0), 0);
  progress.start('download', total, 'bytes');
  const jobs = plans.flatMap((p) => p.files.filter((f) => f.rel !== 'meta.json').map((f) => ({ plan: p, file: f })));
  await mapLimit(jobs, o.concurrency ?? 4, async ({ plan, file }) => {
    const stage = join(o.cacheDir, STAGING_DIR, plan.ulid);
    const n = await download(client, o.bucket, file, join(stage, file.rel), attempts, log, progress, signal);
    result.bytesDownloaded += n;
    if (n > 0) result.filesDownloaded++;
  });
  // meta.json last, then the rename that makes the block visible.
  for (const plan of plans) {
    const stage = join(o.cacheDir, STAGING_DIR, plan.ulid);
    const metaFile = plan.files.find((f) => f.rel === 'meta.json')!;
    const n = await download(client, o.bucket, metaFile, join(stage, 'meta.json'), attempts, log, progress, signal);
    result.bytesDownloaded += n;
    if (n > 0) result.filesDownloaded++;
    const final = join(o.cacheDir, plan.ulid);
    if (existsSync(final)) rmSync(final, { recursive: true, force: true }); // an older, incomplete copy
    renameSync(stage, final);
    const bytes = plan.files.reduce((a, f) => a + f.size, 0);
    result.blocks.push({
      ulid: plan.ulid,
      status: 'downloaded',
      minTime: plan.meta.minTime,
      maxTime: plan.meta.maxTime,
      bytes,
    });
    log.info(`block ${plan.ulid} complete (${plan.files.length} files, ${bytes} bytes)`);
  }
  progress.done(`${result.filesDownloaded} files, ${result.bytesDownloaded} bytes`);
  if (readdirSync(join(o.cacheDir, STAGING_DIR)).length === 0)
    rmSync(join(o.cacheDir, STAGING_DIR), { recursive: true, force: true });
  result.blocks.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
  return result;
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
  mkdirSync(dirname(dest), { recursive: true });
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
