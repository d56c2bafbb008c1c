import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { requireTool } from './tools.js';

/** What a page showed in a headless Chromium: its problems, and what its charts drew. */
export interface PageReport {
  /** Console errors, uncaught exceptions and failed requests, in order. */
  problems: string[];
  /** Per inline SVG chart: its drawn size, and how many points its lines and bands have. */
  charts: { width: number; height: number; linePoints: number; bandPoints: number }[];
  /** Text of the page's table cells. */
  cells: string[];
}

/** Run in the page (plain JavaScript: the tools compile without the DOM's types). */
const IN_PAGE = `(() => {
  const count = (d) => ((d || '').match(/[ML]/g) || []).length;
  const charts = Array.from(document.querySelectorAll('svg')).map((svg) => {
    const box = svg.getBoundingClientRect();
    const points = (p) => (p.getAttribute('points') || '').split(/\\s+/).filter(Boolean).length;
    return {
      width: box.width,
      height: box.height,
      linePoints: Array.from(svg.querySelectorAll('path')).reduce((a, p) => a + count(p.getAttribute('d')), 0),
      bandPoints: Array.from(svg.querySelectorAll('polygon')).reduce((a, p) => a + points(p), 0),
    };
  });
  return { charts, cells: Array.from(document.querySelectorAll('td')).map((td) => td.textContent) };
})()`;

/**
 * Opens a local HTML file in Debian's headless Chromium (installed by `make test`), as a user's
 * browser would, and reports what went wrong and what its charts drew; `screenshot` saves a PNG
 * of the whole page.
 */
export async function openInChromium(file: string, o: { screenshot?: string } = {}): Promise<PageReport> {
  const executablePath = requireTool('/usr/bin/chromium', "run `make test`, which installs Debian's chromium");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // As root in a container Chromium's sandbox cannot start; the page is our own local file.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${String(e)}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const drawn = (await page.evaluate(IN_PAGE)) as Omit<PageReport, 'problems'>;
    if (o.screenshot) await page.screenshot({ path: o.screenshot, fullPage: true });
    return { problems, ...drawn };
  } finally {
    await browser.close();
  }
}
