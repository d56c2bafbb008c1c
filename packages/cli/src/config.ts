import { refuseCredentials } from '@amf-foresight/core';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * Settings from flags, then the prototype's env vars (`bucket`, `prefix`, `local_path`, `block`),
 * then `AMF_FORESIGHT_*`, then the AWS SDK's own (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`…).
 * The CLI is the only place that reads the environment.
 */
export interface S3Settings {
  bucket: string;
  prefix: string;
  cacheDir: string;
  block?: string;
  clientConfig: S3ClientConfig;
}

export const DEFAULT_CACHE_DIR = 'data/blocks';

function pick(...values: (string | undefined)[]): string | undefined {
  for (const v of values) if (v !== undefined && v !== '') return v;
  return undefined;
}

export function s3Settings(
  flags: {
    bucket?: string;
    prefix?: string;
    localPath?: string;
    block?: string;
    endpoint?: string;
    pathStyle?: boolean;
    region?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): S3Settings {
  const endpoint = pick(flags.endpoint, env.AMF_FORESIGHT_S3_ENDPOINT, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined) refuseCredentials(endpoint, '--endpoint');
  const pathStyleEnv = env.AMF_FORESIGHT_S3_PATH_STYLE;
  // MinIO, Ceph and moto want path-style addressing; AWS itself takes either.
  const forcePathStyle =
    flags.pathStyle ??
    (pathStyleEnv !== undefined ? pathStyleEnv !== 'false' && pathStyleEnv !== '0' : endpoint !== undefined);
  const block = pick(flags.block, env.block, env.AMF_FORESIGHT_BLOCK);
  return {
    bucket: pick(flags.bucket, env.bucket, env.AMF_FORESIGHT_BUCKET) ?? '',
    prefix: pick(flags.prefix, env.prefix, env.AMF_FORESIGHT_PREFIX) ?? '',
    cacheDir: pick(flags.localPath, env.local_path, env.AMF_FORESIGHT_CACHE_DIR) ?? DEFAULT_CACHE_DIR,
    ...(block !== undefined ? { block } : {}),
    clientConfig: {
      region: pick(flags.region, env.AWS_REGION, env.AWS_DEFAULT_REGION) ?? 'us-east-1',
      forcePathStyle,
      ...(endpoint !== undefined ? { endpoint } : {}),
      maxAttempts: 5,
      // A stalled connection fails (and is retried) instead of hanging the sync.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
    },
  };
}

/** s3Settings from parsed yargs flags (download and the pipeline share them). */
export function s3FromArgs(args: object, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const argv = args as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof argv[k] === 'string' ? argv[k] : undefined);
  const pathStyle = argv['path-style'];
  const flags = {
    bucket: str('bucket'),
    prefix: str('prefix'),
    localPath: str('local-path'),
    block: str('block'),
    endpoint: str('endpoint'),
  };
  return s3Settings(
    {
      ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
      ...(typeof pathStyle === 'boolean' ? { pathStyle } : {}),
    },
    env,
  );
}
