import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@amf-foresight/test-servers';
import { PACKAGES } from './cli.test-util.js';

// `nx release --dry-run`: versions every package from the conventional commits since its last tag
// (or its package.json version) and previews the changelogs, writing and publishing nothing.
describe.runIf(existsSync(join(REPO_ROOT, '.git')))('nx release --dry-run', () => {
  it('versions the packages and previews changelogs without changing a file', () => {
    const status = () => execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const before = status();
    const r = spawnSync('npx', ['nx', 'release', '--dry-run', '--skip-publish'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    // Colours come through under CI=true whatever the env says: compare plain text.

    const out = `${r.stdout}${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    expect(r.status, out).toBe(0);
    for (const p of PACKAGES) {
      expect(out).toContain(`Running release version for project: @amf-foresight/${p}`);
    }
    expect(out).toContain('The "dryRun" flag means no changes were made');
    expect(status()).toBe(before);
  }, 180_000);
});

// publint (package.json against the files) and attw (types for every resolution mode, from the packed
// tarball) on every package, after `make build`.
describe('package hygiene', () => {
  const bin = (n: string) => join(REPO_ROOT, 'node_modules/.bin', n);
  it.each(PACKAGES)(
    '%s: publint --strict and attw --pack',
    (p) => {
      const cwd = join(REPO_ROOT, 'packages', p);
      const lint = spawnSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout).toContain('All good!');
      const attw = spawnSync(bin('attw'), ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped'], {
        cwd,
        encoding: 'utf8',
      });
      expect(attw.status, attw.stdout + attw.stderr).toBe(0);
      expect(attw.stdout).toContain('No problems found');
    },
    120_000,
  );
});
