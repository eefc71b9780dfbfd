// Debian's Chromium driven by playwright-core (never a downloaded browser build). Every console
// error and CSP violation a page reports is collected, so a test can fail on it.
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

/** Launches Debian's headless Chromium (the screenshots script uses it too). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Launches headless Chromium for the test (closed after it) and opens one page. */
export async function openBrowserPage(t: TestContext): Promise<BrowserPage> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // ERR_ABORTED: the page navigated on before a subresource (e.g. the favicon) finished; not a fault.
    const reason = request.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  // Runs in the page: CSP violations become console errors, which the listener above collects.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI);
    });`,
  });
  return { page, problems };
}

/**
 * The pages a newcomer meets, in the order they meet them: signed out, the 404, the provider's
 * sign-in and consent, signed in, /resource, /flow, an error page, the provider's sign-out, and
 * after it. `atPage` runs on each (a screenshot, the accessibility checks) before the walk goes on.
 */
export async function walkThroughPages(
  page: Page,
  app: { baseUrl: string; issuer: string },
  atPage: (name: string) => Promise<void>,
): Promise<void> {
  const { baseUrl, issuer } = app;
  await page.goto(`${baseUrl}/`);
  await atPage('home-signed-out');
  await page.goto(`${baseUrl}/no-such-page`);
  await atPage('not-found');
  await page.goto(`${baseUrl}/`);
  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.waitForURL(/\/interaction\//);
  await atPage('provider-sign-in');
  await page.fill('input[name="login"]', 'carol');
  await page.fill('input[name="password"]', 'any password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const allow = page.getByRole('button', { name: 'Allow', exact: true });
  await allow.waitFor();
  await atPage('provider-consent');
  await allow.click();
  await page.waitForURL(`${baseUrl}/`);
  await atPage('home-signed-in');
  await page.goto(`${baseUrl}/resource`);
  await atPage('resource');
  await page.goto(`${baseUrl}/flow`);
  await atPage('flow');
  await page.goto(`${baseUrl}/callback?code=forged&state=forged`);
  await atPage('error');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(new RegExp(`^${issuer}/session/end`));
  await atPage('provider-sign-out');
  // The button that also ends the provider session, whatever its words.
  await page.click('button[name="logout"][value="yes"]');
  await page.waitForURL(`${baseUrl}/`);
  await atPage('home-signed-out-after-sign-out');
  await page.goto(`${baseUrl}/flow`);
  await atPage('flow-after-sign-out');
}
