import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AmfError, UsageError, parseS3Location, refuseCredentials } from '@amf-foresight/core';
import type { Logger } from '@amf-foresight/core';
import { isUlid } from '@amf-foresight/tsdb-ingest/reader';

/**
 * s3://bucket/prefix → bucket and a normalised prefix (empty segments dropped); `.` or `..`
 * segments and credentials in the URL are refused, as the download side refuses such keys.
 */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  refuseCredentials(url, '--upload');
  const { bucket, prefix } = parseS3Location(url, { flag: '--upload', code: 'BAD_UPLOAD_URL' });
  const segments = prefix.split('/').filter((x) => x !== '');
  if (segments.some((x) => x === '.' || x === '..'))
    throw new UsageError('BAD_UPLOAD_URL', `--upload ${JSON.stringify(url)} has a . or .. segment`, {
      flag: '--upload',
      hint: 'name the prefix plainly, e.g. s3://bucket/forecasts/amf',
    });
  return { bucket, prefix: segments.join('/') };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Uploads every file under `dir` to s3://bucket/prefix/<name of dir>/… (and `extra` files under
 * input/); returns the count. The S3 SDK is loaded here, only when a run is uploaded.
 */
export async function uploadDir(
  dir: string,
  url: string,
  clientConfig: S3ClientConfig,
  log?: Logger,
  extra: string[] = [],
): Promise<number> {
  const { bucket, prefix } = parseS3Url(url);
  const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { s3Error } = await import('@amf-foresight/tsdb-ingest/s3');
  const client = new S3Client({ ...clientConfig });
  const base = `${prefix ? `${prefix}/` : ''}${basename(dir)}`;
  const items = [
    ...filesUnder(dir).map((f) => ({ f, key: `${base}/${relative(dir, f).split(sep).join('/')}` })),
    ...extra.map((f) => ({ f, key: `${base}/input/${basename(f)}` })),
  ];
  try {
    for (const { f, key } of items) {
      // A buffer, not a stream: the SDK can retry a buffer, never a stream it has half-sent.
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(f) }));
    }
  } catch (e) {
    // The same codes as the download's (a missing bucket or denied access is bad input: exit 2).
    const m = s3Error(e, `upload to s3://${bucket}/${base}/`, bucket);
    const hint = m.code === 'S3_FAILED' ? 'check the endpoint and the network' : (m.details.hint ?? '');
    throw new AmfError(
      m.code,
      m.message,
      { ...m.details, hint: `the run itself is complete in ${dir}; ${hint}, then upload again` },
      { exitCode: m.exitCode, cause: e },
    );
  } finally {
    client.destroy();
  }
  log?.info(`uploaded ${items.length} files to s3://${bucket}/${base}/`);
  return items.length;
}

/** A block's files in upload order: chunks, index, tombstones, then meta.json, which makes the block visible. */
function blockUploadOrder(blockDir: string): string[] {
  const rel = filesUnder(blockDir).map((f) => relative(blockDir, f).split(sep).join('/'));
  if (!rel.includes('meta.json')) return [];
  const rank = (n: string) => (n === 'meta.json' ? 3 : n === 'tombstones' ? 2 : n === 'index' ? 1 : 0);
  return rel.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

/**
 * Uploads every block of the data directory `dataDir` to s3://bucket/prefix/<ULID>/, Thanos's
 * layout: per block the chunks and the index first and meta.json last, so a store or querier
 * never sees a block with files missing (Thanos treats a block without meta.json as a partial
 * upload). A block whose meta.json is in the bucket already is skipped: a rerun after an
 * interruption uploads what is missing and completes the partial blocks.
 */
export async function uploadBlocks(
  dataDir: string,
  url: string,
  clientConfig: S3ClientConfig,
  ctx: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<{ blocks: number; skipped: number; files: number }> {
  const { bucket, prefix } = parseS3Url(url);
  const { HeadObjectCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const { s3Error } = await import('@amf-foresight/tsdb-ingest/s3');
  const client = new S3Client({ ...clientConfig });
  const key = (u: string, f: string) => `${prefix ? `${prefix}/` : ''}${u}/${f}`;
  const ulids = readdirSync(dataDir).filter((d) => isUlid(d) && blockUploadOrder(join(dataDir, d)).length > 0);
  let skipped = 0;
  let files = 0;
  try {
    for (const u of ulids.sort()) {
      ctx.signal?.throwIfAborted();
      if (await exists(client, new HeadObjectCommand({ Bucket: bucket, Key: key(u, 'meta.json') }))) {
        skipped++;
        continue;
      }
      for (const f of blockUploadOrder(join(dataDir, u))) {
        ctx.signal?.throwIfAborted();
        const body = readFileSync(join(dataDir, u, ...f.split('/')));
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(u, f), Body: body }), {
          ...(ctx.signal ? { abortSignal: ctx.signal } : {}),
        });
        files++;
      }
    }
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    const m = s3Error(e, `upload of blocks to s3://${bucket}/${prefix}`, bucket);
    throw new AmfError(
      m.code,
      m.message,
      {
        ...m.details,
        hint:
          'blocks without meta.json are partial and unseen by Thanos; run the upload again ' +
          `(amf-foresight tsdb upload ${dataDir} ${url}) to complete them`,
      },
      { exitCode: m.exitCode, cause: e },
    );
  } finally {
    client.destroy();
  }
  ctx.logger?.info(
    `uploaded ${ulids.length - skipped} blocks (${files} files) to s3://${bucket}/${prefix}` +
      (skipped ? `; ${skipped} were there already` : ''),
  );
  return { blocks: ulids.length - skipped, skipped, files };
}

async function exists(client: { send(c: unknown): Promise<unknown> }, head: unknown): Promise<boolean> {
  try {
    await client.send(head);
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}
