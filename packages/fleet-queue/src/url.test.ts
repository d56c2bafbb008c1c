import { describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE, parseQueueUrl } from './url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, database, credentials and queue name; hides the password in its display', () => {
    const t = parseQueueUrl('redis://amf:s3cret@redis.amf.svc:6380/2?queue=nightly');
    expect(t.connection).toEqual({ host: 'redis.amf.svc', port: 6380, db: 2, username: 'amf', password: 's3cret' });
    expect(t.name).toBe('nightly');
    expect(t.display).toBe('redis://amf:***@redis.amf.svc:6380/2 (queue nightly)');
  });

  it('defaults: port 6379, database 0, the shared queue name; rediss:// is TLS', () => {
    expect(parseQueueUrl('redis://127.0.0.1')).toMatchObject({
      connection: { host: '127.0.0.1', port: 6379, db: 0 },
      name: DEFAULT_QUEUE,
    });
    expect(parseQueueUrl('rediss://r/1').connection.tls).toEqual({});
  });

  it.each([
    ['localhost:6379', /scheme is not redis/],
    ['http://r:6379', /scheme is not redis/],
    ['redis://r/16', /database must be 0–15/],
    ['redis://r/0?queue=a b', /bad queue name/],
    ['redis://:pw@r/x', /database must be 0–15/],
  ])('refuses %s with one line, never echoing a password', (url, why) => {
    let caught: unknown;
    try {
      parseQueueUrl(url);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'BAD_QUEUE_URL', message: expect.stringMatching(why) as unknown });
    expect((caught as Error).message).not.toContain('pw@');
  });
});
