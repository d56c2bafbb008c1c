import { UsageError } from '@amf-foresight/core';

/** The queue's default name: workers and producers that are given only a Redis URL meet on it. */
export const DEFAULT_QUEUE = 'amf-foresight-fleet';

/** Where a fleet's jobs go: a Redis database and a BullMQ queue name. */
export interface QueueTarget {
  connection: { host: string; port: number; db: number; username?: string; password?: string; tls?: object };
  name: string;
  /** The URL without its password, for logs. */
  display: string;
}

/**
 * `redis://[user:password@]host[:port][/db][?queue=name]` (or `rediss://` for TLS): the Redis a
 * producer and its workers share; the queue name defaults to DEFAULT_QUEUE.
 */
export function parseQueueUrl(url: string, flag = '--queue'): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(url, flag, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw bad(url, flag, 'the scheme is not redis:// or rediss://');
  if (!u.hostname) throw bad(url, flag, 'no host');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw bad(url, flag, `the database must be 0–15, got ${path}`);
  const name = u.searchParams.get('queue') ?? DEFAULT_QUEUE;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw bad(url, flag, `bad queue name ${JSON.stringify(name)}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    connection: {
      host,
      port,
      db,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    name,
    display: `${u.protocol}//${u.username ? `${u.username}:***@` : ''}${u.host}/${db} (queue ${name})`,
  };
}

function bad(url: string, flag: string, why: string): UsageError {
  return new UsageError('BAD_QUEUE_URL', `${flag} ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))}: ${why}`, {
    flag,
    hint: 'e.g. redis://127.0.0.1:6379/0 or redis://redis.amf:6379/0?queue=amf-foresight-fleet',
  });
}
