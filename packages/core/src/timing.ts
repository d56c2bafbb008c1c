/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });

/** `p`, or a rejection with `message` after `ms` (p itself is not stopped). */
export function withTimeout<T>(p: Promise<T>, ms: number, message = 'no answer'): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(message)), Math.max(0, ms));
  });
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}
