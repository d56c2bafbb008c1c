import { describe, expect, it } from 'vitest';
import { sleep, withTimeout } from './timing.js';

describe('sleep and withTimeout', () => {
  it('sleep waits, and rejects with the abort reason as soon as its signal aborts', async () => {
    const t0 = Date.now();
    await sleep(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    const ac = new AbortController();
    const waiting = sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('withTimeout gives the promise’s value in time, else rejects with its message', async () => {
    expect(await withTimeout(Promise.resolve(7), 1000)).toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 20, 'too slow')).rejects.toThrow('too slow');
    await expect(withTimeout(Promise.reject(new Error('own')), 1000)).rejects.toThrow('own');
  });
});
