import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { AmfError, UsageError, refuseCredentials } from '@amf-foresight/core';
import type { Logger } from '@amf-foresight/core';

/**
 * s3://bucket/prefix → bucket and a normalised prefix (empty segments dropped); `.` or `..`
 * segments and credentials in the URL are refused, as the download side refuses such keys.
 */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  refuseCredentials(url, '--upload');
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m)
    throw new UsageError('BAD_UPLOAD_URL', `--upload wants s3://bucket/prefix, got ${JSON.stringify(url)}`, {
      flag: '--upload',
    });
  const segments = m[2]!.split('/').filter((x) => x !== '');
  if (segments.some((x) => x === '.' || x === '..'))
    throw new UsageError('BAD_UPLOAD_URL', `--upload ${JSON.stringify(url)} has a . or .. segment`, {
      flag: '--upload',
      hint: 'name the prefix plainly, e.g. s3://bucket/forecasts/amf',
    });
  return { bucket: m[1]!, prefix: segments.join('/') };
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
