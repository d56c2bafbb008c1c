import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `make fuzz-cli` runs 2 000 cases; `make test` a seeded 40 of the same generators (issue 13).
describe('the CLI fuzzer, a small seeded set', () => {
  it('40 generated command lines, datasets and damaged model directories: exit 0/2/3, one line, no leftovers', () => {
    const script = join(import.meta.dirname, '../scripts/fuzz-cli.mjs');
    const out = execFileSync(process.execPath, [script, '--cases', '40', '--seed', '7'], { encoding: 'utf8' });
    expect(out).toMatch(/fuzz-cli: 40 cases/);
    expect(out).toMatch(/failures: 0/);
  }, 600_000);
});
