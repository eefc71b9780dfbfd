// npm run screenshots: the app with the embedded provider, started as the browser test starts it,
// and Debian's Chromium clicking through every page at a phone's and a desktop's width, in light
// and dark. Writes docs/screenshots/<page>-<width>-<scheme>.png: the same names on every run.
// For a review at other widths: SCREENSHOT_WIDTHS=320,390,1280 SCREENSHOT_DIR=/tmp/shots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium, walkThroughPages } from '../support/browser.ts';
import { startLocalStack } from '../support/test-app.ts';

const outDir =
  process.env.SCREENSHOT_DIR ?? path.join(import.meta.dirname, '../../docs/screenshots');
const widths = (process.env.SCREENSHOT_WIDTHS ?? '390,1280').split(',').map(Number);
const viewports = widths.map((width) => ({ width, height: width < 800 ? 844 : 900 }));
const schemes = ['light', 'dark'] as const;

// The browser test's stack: app, development provider and demo API, each on a free port.
const app = await startLocalStack();
const browser = await launchChromium().catch(async (error: unknown) => {
  await app.close();
  throw error;
});
try {
  await mkdir(outDir, { recursive: true });
  let count = 0;
  for (const viewport of viewports) {
    for (const colorScheme of schemes) {
      // A fresh context each time: no cookies, so every run signs in from the start.
      const context = await browser.newContext({ viewport, colorScheme });
      const page = await context.newPage();
      const shoot = async (name: string) => {
        const file = path.join(outDir, `${name}-${viewport.width}-${colorScheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        count += 1;
      };
      await walkThroughPages(page, app, shoot);
      await context.close();
    }
  }
  process.stdout.write(`Wrote ${count} screenshots to ${path.relative(process.cwd(), outDir)}\n`);
} finally {
  await browser.close();
  await app.close();
}
