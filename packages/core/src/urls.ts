import { UsageError } from './errors.js';

/** A URL without its user and password, for logs, messages and run.json; other strings unchanged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Every string in `value` (objects and arrays walked) with the credentials of URLs removed. */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return redactUrl(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)])) as T;
  return value;
}

/**
 * Refuses a URL that carries a user or password (`http://KEY:SECRET@host`): credentials come from
 * the environment or a profile, never from a flag that ends up in logs and run.json.
 */
export function refuseCredentials(url: string, flag: string): void {
  if (redactUrl(url) === url) return;
  throw new UsageError('SECRET_IN_URL', `${flag} ${redactUrl(url)} carries a user or password`, {
    flag,
    hint: 'pass credentials through AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or headers, not in the URL',
  });
}

/** Parses `s3://bucket[/prefix]`; anything else is one usage error (`code`, default BAD_S3_URL) naming `flag`. */
export function parseS3Location(url: string, o: { flag: string; code?: string }): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m)
    throw new UsageError(o.code ?? 'BAD_S3_URL', `${o.flag} wants s3://bucket/prefix, got ${JSON.stringify(url)}`, {
      flag: o.flag,
      hint: 'e.g. s3://metrics/prometheus/blocks',
    });
  return { bucket: m[1]!, prefix: m[2]! };
}
