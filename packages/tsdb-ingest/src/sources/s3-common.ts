import { isAbsolute, normalize, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { AmfError, UsageError } from '@amf-foresight/core';
import type { Logger } from '@amf-foresight/core';
import { isUlid, parseMeta } from '../reader/meta.js';
import type { BlockMeta } from '../reader/meta.js';
import { s3Error } from './s3-errors.js';
import { sleep } from '@amf-foresight/core';

/** What every request against one bucket shares: the sync and the in-place reader. */
export interface S3Ctx {
  client: S3Client;
  bucket: string;
  /** Normalised: "" or "a/b/". */
  prefix: string;
  /** Only this block (the prototype's `block` env var). */
  block?: string | undefined;
  attempts: number;
  log: Logger;
  signal: AbortSignal | undefined;
}

export interface RemoteFile {
  key: string;
  /** Path inside the block directory, e.g. "chunks/000001". */
  rel: string;
  size: number;
  etag: string | undefined;
}

/** Why a block directory is not read: the states `listing` reports besides a readable block. */
export type SkipStatus = 'partial' | 'deletion-marked' | 'refused';

export type RemoteBlock =
  { ulid: string; meta: BlockMeta; files: RemoteFile[] } | { ulid: string; skipped: SkipStatus; reason: string };

export function normPrefix(p: string | undefined): string {
  const s = (p ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return s === '' ? '' : `${s}/`;
}

/** What every bucket operation needs first: a bucket, and a sane number of requests in flight. */
export function checkS3Options(o: { bucket: string; concurrency?: number | undefined }): void {
  if (!o.bucket)
    throw new UsageError('S3_NO_BUCKET', 'no bucket configured', {
      flag: '--bucket',
      hint: 'pass --bucket (or --source s3://bucket/prefix) or set the env var bucket (or AMF_FORESIGHT_BUCKET)',
    });
  checkConcurrency(o.concurrency);
}

/** Requests in flight at once: a whole number from 1 to 64, or a one-line usage error (--concurrency). */
function checkConcurrency(n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= 64))
    throw new UsageError('BAD_CONCURRENCY', `--concurrency must be a whole number from 1 to 64, got ${n}`, {
      flag: '--concurrency',
    });
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  });
  await Promise.all(workers);
}

/** Runs `fn` until it succeeds, retrying failures that are not the caller's fault with backoff. */
export async function withRetry<T>(
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

/** Every page of a listing under `prefix` (with `delimiter`, the common prefixes). */
export async function listAll(x: S3Ctx, prefix: string, delimiter?: string) {
  const pages = [];
  let token: string | undefined;
  do {
    try {
      const page = await x.client.send(
        new ListObjectsV2Command({ Bucket: x.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }),
        { abortSignal: x.signal },
      );
      pages.push(page);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } catch (e) {
      throw s3Error(e, `list s3://${x.bucket}/${prefix}`, x.bucket);
    }
  } while (token);
  return pages;
}

/** A path inside the block directory, or undefined for keys that would escape it. */
export function safeRelative(rel: string): string | undefined {
  if (rel === '' || rel.includes('\\') || rel.includes('\0') || isAbsolute(rel) || rel.startsWith('/'))
    return undefined;
  const n = normalize(rel);
  if (n.startsWith('..') || n.split(sep).some((part) => part === '..' || part === '')) return undefined;
  return n;
}

/** The block directories (ULIDs) under the prefix, or the one `block` names. */
export async function listBlockDirs(x: S3Ctx): Promise<string[]> {
  const ulids = (await listAll(x, x.prefix, '/'))
    .flatMap((page) => page.CommonPrefixes ?? [])
    .map((cp) => (cp.Prefix ?? '').slice(x.prefix.length).replace(/\/$/, ''))
    .filter((name) => isUlid(name));
  const wanted = x.block ? ulids.filter((u) => u === x.block) : ulids;
  if (x.block && wanted.length === 0) {
    throw new AmfError(
      'S3_BLOCK_NOT_FOUND',
      `block ${x.block} is not under s3://${x.bucket}/${x.prefix}`,
      { hint: 'check the env var block or --block' },
      { exitCode: 3 },
    );
  }
  return wanted;
}

/** A whole object, or `length` bytes of it from `offset` (a range GET), retried; the length is checked. */
export async function getBytes(x: S3Ctx, key: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
  const what = `get s3://${x.bucket}/${key}${range ? ` bytes ${range.offset}+${range.length}` : ''}`;
  return withRetry(what, x.bucket, x.attempts, x.log, x.signal, async () => {
    const r = await x.client.send(
      new GetObjectCommand({
        Bucket: x.bucket,
        Key: key,
        ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}),
      }),
      { abortSignal: x.signal },
    );
    const b = await r.Body!.transformToByteArray();
    // A body cut short without an error (a proxy closing cleanly) is retried like a failed one.
    if (range && b.length !== range.length) throw new Error(`got ${b.length} bytes of a ${range.length}-byte range`);
    return b;
  });
}

/**
 * A block directory's files and its meta.json, or why it is not read: a key escaping the
 * directory (refused), deletion-mark.json (going away), no meta.json (partial: written last).
 */
export async function inspectBlock(x: S3Ctx, ulid: string): Promise<RemoteBlock> {
  const blockPrefix = `${x.prefix}${ulid}/`;
  const files: RemoteFile[] = [];
  let refused: string | undefined;
  for (const obj of (await listAll(x, blockPrefix)).flatMap((page) => page.Contents ?? [])) {
    const key = obj.Key ?? '';
    const rel = safeRelative(key.slice(blockPrefix.length));
    if (rel === undefined) refused = `key ${JSON.stringify(key)} would escape the block directory`;
    else files.push({ key, rel, size: obj.Size ?? 0, etag: obj.ETag?.replace(/"/g, '') });
  }
  if (refused) return { ulid, skipped: 'refused', reason: refused };
  if (files.some((f) => f.rel === 'deletion-mark.json'))
    return { ulid, skipped: 'deletion-marked', reason: 'marked for deletion' };
  const metaFile = files.find((f) => f.rel === 'meta.json');
  if (!metaFile) return { ulid, skipped: 'partial', reason: 'no meta.json (partial upload)' };
  const meta = parseMeta(await getBytes(x, metaFile.key), `s3://${x.bucket}/${metaFile.key}`);
  const dataFiles = files.filter((f) => /^(index|tombstones|meta\.json|chunks\/\d+)$/.test(f.rel.split(sep).join('/')));
  return { ulid, meta, files: dataFiles };
}
