import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl, refuseCredentials } from './urls.js';

describe('credentials in URLs', () => {
  it('are removed from URLs and from every string of an object', () => {
    expect(redactUrl('http://KEY:SECRET@127.0.0.1:9000/x')).toBe('http://127.0.0.1:9000/x');
    expect(redactUrl('s3://KEY:SECRET@bucket/p')).not.toContain('SECRET');
    expect(redactUrl('not a url')).toBe('not a url');
    const inputs = { endpoint: 'http://KEY:SECRET@host', list: ['s3://A:B@b/p'], n: 3, nested: { u: 'http://u:p@h/' } };
    expect(JSON.stringify(redactSecrets(inputs))).not.toMatch(/SECRET|A:B|u:p/);
    expect(redactSecrets(inputs).n).toBe(3);
  });

  it('are refused in flags, in one line that does not repeat them', () => {
    expect(() => refuseCredentials('http://host:9000', '--endpoint')).not.toThrow();
    let message = '';
    try {
      refuseCredentials('http://KEY:SECRET@host:9000', '--endpoint');
    } catch (e) {
      message = (e as Error).message;
      expect(e).toMatchObject({ code: 'SECRET_IN_URL', exitCode: 2 });
    }
    expect(message).toBe('--endpoint http://host:9000/ carries a user or password');
  });
});
