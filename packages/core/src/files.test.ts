import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, withLockFile, writeFilesAtomic } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'amf-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFilesAtomic', () => {
  it('writes every file', () => {
    writeFilesAtomic([
      { path: join(dir, 'a'), data: 'A' },
      { path: join(dir, 'b'), data: new Uint8Array([66]) },
    ]);
    expect(readFileSync(join(dir, 'a'), 'utf8') + readFileSync(join(dir, 'b'), 'utf8')).toBe('AB');
  });
  it('leaves nothing behind when one of them cannot be written', () => {
    expect(() =>
      writeFilesAtomic([
        { path: join(dir, 'c'), data: 'C' },
        { path: join(dir, 'missing-dir', 'd'), data: 'D' },
      ]),
    ).toThrow();
    expect(existsSync(join(dir, 'c'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });
});

describe('withLockFile (issue 13, finding 8: two downloads into one cache)', () => {
  it('refuses while a live process holds the lock, takes over a dead one’s, and releases it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amf-lock-'));
    const lock = join(dir, '.lock');
    const busy = (pid: number) => new Error(`busy ${pid}`);
    let inner: Promise<unknown> | undefined;
    await withLockFile(lock, busy, async () => {
      inner = withLockFile(lock, busy, () => Promise.resolve('second'));
      await expect(inner).rejects.toThrow(`busy ${process.pid}`);
    });
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, String(spawnSync(process.execPath, ['-e', '0']).pid)); // its process has exited
    expect(await withLockFile(lock, busy, () => Promise.resolve('taken over'))).toBe('taken over');
    expect(existsSync(lock)).toBe(false);
    expect(processAlive(process.pid)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
