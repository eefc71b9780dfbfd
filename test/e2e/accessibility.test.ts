// Every page a user meets, at a phone's (320 and 390 CSS px) and a desktop's width (1280), light and
// dark: axe-core finds no violation (WCAG 2.2 A and AA rules and axe's best practices) and the page
// does not scroll sideways. axe-core is evaluated in the page from its file, through the devtools
// protocol: the app's CSP stays as strict as in production (no inline script is allowed in).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowserPage, walkThroughPages } from '../support/browser.ts';
import { startTestApp } from '../support/test-app.ts';

const axeSource = await readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const widths = [320, 390, 1280];
const colorSchemes = ['light', 'dark'] as const;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

// The scripts below run in the page, so they are strings: this project's types have no DOM.
const runAxe = `axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
}).then((results) => results.violations)`;
const overflowingPx = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';
const transitionsEnded =
  'Promise.all(document.getAnimations().map((animation) => animation.finished))';

/** axe-core's violations on the page as it is now, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("'axe' in globalThis"))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(runAxe)) as AxeViolation[];
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.help}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

/** How many CSS px the page is wider than the window (0 when nothing scrolls sideways). */
async function sidewaysOverflow(page: Page): Promise<number> {
  return (await page.evaluate(overflowingPx)) as number;
}

/**
 * Checks the page at every width and colour scheme without reloading it (provider pages are single
 * use), and returns what failed, each line naming the page, width and scheme.
 */
async function checkEverySize(page: Page, name: string): Promise<string[]> {
  const failures: string[] = [];
  for (const colorScheme of colorSchemes) {
    await page.emulateMedia({ colorScheme });
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      // Colours change with a CSS transition: judge the contrast of the colours the page settles on.
      await page.evaluate(transitionsEnded);
      const where = `${name} at ${width} px, ${colorScheme}`;
      const overflow = await sidewaysOverflow(page);
      if (overflow > 0) failures.push(`${where}: scrolls sideways by ${overflow} px`);
      for (const violation of await axeViolations(page)) failures.push(`${where}: ${violation}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
  return failures;
}

describe('accessibility, in a real browser', () => {
  it('no axe-core violation and no sideways scroll on any page, at 320, 390 and 1280 px, light and dark', async (t) => {
    const app = await startTestApp(t);
    const { page } = await openBrowserPage(t);
    const failures: string[] = [];

    await walkThroughPages(page, app, async (name) => {
      failures.push(...(await checkEverySize(page, name)));
    });

    assert.deepEqual(failures, []);
  });
});
