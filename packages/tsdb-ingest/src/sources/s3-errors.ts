import { AmfError, InputError } from '@amf-foresight/core';

/** Turns an AWS SDK error into one of ours with a stable code; credentials never appear. */
export function s3Error(e: unknown, what: string, bucket: string): AmfError {
  const name = (e as { name?: string; Code?: string }).name ?? '';
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket' || (status === 404 && what.startsWith('list'))) {
    return new InputError('S3_NO_SUCH_BUCKET', `bucket ${JSON.stringify(bucket)} does not exist`, {
      hint: 'check the bucket name (flag --bucket or env var bucket)',
    });
  }
  if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
    return new InputError('S3_ACCESS_DENIED', `access to bucket ${JSON.stringify(bucket)} denied (${name || status})`, {
      hint: 'check AWS_PROFILE / AWS_ACCESS_KEY_ID and the bucket policy',
    });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new AmfError(
    'S3_FAILED',
    `${what} failed: ${name ? `${name}: ` : ''}${msg}`,
    {
      hint:
        'check the endpoint and the network, then re-run: a download keeps its finished files, ' +
        'a read in place its index headers',
    },
    { cause: e },
  );
}
