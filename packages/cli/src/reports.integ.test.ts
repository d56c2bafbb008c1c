import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, openInChromium, tempDirs } from '@amf-foresight/test-servers';

// The HTML reports are pages users open: each one a run writes is loaded in Debian's headless
// Chromium, which must show no console error and charts that draw something. Screenshots go to
// $AMF_FORESIGHT_SCREENSHOTS when set (to look at them), else to the test's temporary directory.
const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
const dirs = tempDirs('amf-reports-');
let cwd: string;
let shots: string;

beforeAll(() => {
  cwd = dirs.make();
  shots = process.env['AMF_FORESIGHT_SCREENSHOTS'] ?? join(cwd, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const r = spawnSync(process.execPath, [BIN, 'demo', '--quiet'], { cwd, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}, 120_000);
afterAll(dirs.cleanup);

describe('the HTML reports in a browser', () => {
  it.each([
    ['dataset.html', { bands: false }],
    ['forecast.html', { bands: true }],
  ])(
    '%s: no console error, a chart that draws its data, a table with figures',
    async (file, o) => {
      const page = await openInChromium(join(cwd, 'runs/latest', file), {
        screenshot: join(shots, file.replace('.html', '.png')),
      });
      expect(page.problems).toEqual([]);
      expect(page.charts.length).toBeGreaterThan(0);
      for (const c of page.charts) {
        expect(c.width).toBeGreaterThan(600);
        expect(c.height).toBeGreaterThan(200);
        expect(c.linePoints, 'points on the chart’s lines').toBeGreaterThan(100);
        if (o.bands) expect(c.bandPoints, 'points of the interval bands').toBeGreaterThan(100);
      }
      expect(page.cells.length).toBeGreaterThan(0);
      expect(page.cells.some((t) => /\d/.test(t))).toBe(true);
    },
    60_000,
  );
});
