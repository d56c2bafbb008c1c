import { afterAll, describe, expect, it } from 'vitest';
import { GuardedWorker, TIMED_OUT } from './worker.js';

const codes = { failed: 'X_FAILED', crashed: 'X_CRASHED' };
const made: GuardedWorker[] = [];
const worker = (source: string, restartOnError = false) => {
  const w = new GuardedWorker({ source, codes, what: 'the test worker', restartOnError, data: () => ({ k: 3 }) });
  made.push(w);
  return w;
};
afterAll(() => Promise.all(made.map((w) => w.stop())));

const ECHO = `serve((m) => {
  if (m.exit) process.exit(5);
  if (m.fail) throw new Error('bad input');
  if (m.spin) { const end = Date.now() + m.spin; while (Date.now() < end); }
  return m.x * workerData.data.k;
});`;

describe('GuardedWorker', () => {
  it('answers jobs asynchronously and synchronously', async () => {
    const w = worker(ECHO);
    expect(await Promise.all([w.call({ x: 1 }), w.call({ x: 2 })])).toEqual([3, 6]);
    expect(w.readySync(10_000)).toBeUndefined();
    expect(w.callSync({ x: 5 }, 10_000)).toBe(15);
  });

  it('an idle worker keeps no process alive (no ref’d handle after jobs, sync or async)', async () => {
    const held = () => process.getActiveResourcesInfo().filter((r) => /Worker|MessagePort/.test(r)).length;
    const before = held();
    const w = worker(ECHO);
    expect(w.readySync(10_000)).toBeUndefined();
    expect(w.callSync({ x: 1 }, 10_000)).toBe(3);
    expect(held()).toBe(before);
    expect(await w.call({ x: 1 })).toBe(3);
    expect(held()).toBe(before);
  });

  it('a job that throws is its own typed error; with restartOnError the worker is replaced', async () => {
    const w = worker(ECHO, true);
    await expect(w.call({ fail: true })).rejects.toMatchObject({
      code: 'X_FAILED',
      message: 'the test worker: bad input',
    });
    expect(w.restarts).toBe(1);
    expect(await w.call({ x: 2 })).toBe(6);
  });

  it('a crash fails the jobs it held with a typed error, and the next job gets a fresh worker', async () => {
    const w = worker(ECHO);
    const crash = w.call({ exit: true });
    const queued = w.call({ x: 1 }); // behind the crash: never answered
    await expect(crash).rejects.toMatchObject({ code: 'X_CRASHED' });
    await expect(queued).rejects.toMatchObject({ code: 'X_CRASHED', message: 'the test worker exited with code 5' });
    expect(w.restarts).toBe(1);
    expect(await w.call({ x: 1 })).toBe(3);
  });

  it('a synchronous call past its time limit returns TIMED_OUT; restart() gives a fresh worker', () => {
    const w = worker(ECHO);
    expect(w.readySync(10_000)).toBeUndefined();
    expect(w.callSync({ spin: 2000, x: 1 }, 50)).toBe(TIMED_OUT);
    w.restart();
    expect(w.restarts).toBe(1);
    expect(w.readySync(10_000)).toBeUndefined();
    expect(w.callSync({ x: 1 }, 10_000)).toBe(3);
  });

  it('a worker that cannot load says why', () => {
    const w = worker(`failed(new Error('no such model'));`);
    expect(() => w.readySync(10_000)).toThrow(
      expect.objectContaining({ code: 'X_FAILED', message: 'the test worker could not load: no such model' }),
    );
  });
});
