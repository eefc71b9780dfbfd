// public/app.js's countdown, in Chromium: when the access token's time runs out on screen, the row
// says what the server would say (expired, renewed on the next API call) and the session stays Active.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBrowserPage } from '../support/browser.ts';
import { startTestApp } from '../support/test-app.ts';

describe('the access-token countdown in a real browser', () => {
  it('when it crosses zero then the row says "renewed on the next API call" and the session stays Active', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const expiresAt = record?.tokens.expiresAt ?? assert.fail('the provider reported no expiry');
    const { page, problems } = await openBrowserPage(t);
    await page.context().addCookies(cookiesOf(jar.header(app.baseUrl) ?? '', app.baseUrl));

    // Three seconds left on the app's clock when the page is rendered.
    app.advanceClock(expiresAt - Date.now() - 3000);
    await page.goto(`${app.baseUrl}/`);
    const before = await page.textContent('[data-countdown]');
    await page
      .locator('[data-countdown]')
      .filter({ hasText: /^expired/ })
      .waitFor({ timeout: 10_000 });
    const after = await page.textContent('[data-countdown]');
    const badge = await page.textContent('#session-title + .badge');

    assert.match(before ?? '', /^expires in [1-3] s$/);
    assert.match(after ?? '', /^expired \d s ago, renewed on the next API call$/);
    assert.equal(badge, 'Active');
    assert.deepEqual(problems, []);
  });
});

/** A Cookie header as the browser context's cookies for `url`. */
function cookiesOf(
  header: string,
  url: string,
): Array<{ name: string; value: string; url: string }> {
  return header
    .split('; ')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return { name, value: value.join('='), url };
    });
}
