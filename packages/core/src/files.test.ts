import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesAtomic } from './files.js';

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
