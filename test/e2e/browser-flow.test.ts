import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBrowserPage } from '../support/browser.ts';
import { startTestApp } from '../support/test-app.ts';

describe('in a real browser', () => {
  it('signs in, calls the API, shows the flow and signs out with no console error or CSP violation', async (t) => {
    const app = await startTestApp(t);
    const { page, problems } = await openBrowserPage(t);

    await page.goto(`${app.baseUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.waitForURL(/\/interaction\//);
    await page.fill('input[name="login"]', 'carol');
    await page.fill('input[name="password"]', 'any password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The consent page's own button: the sign-in page has a submit button too.
    const allow = page.getByRole('button', { name: 'Allow', exact: true });
    await allow.waitFor();
    await allow.click();
    await page.waitForURL(`${app.baseUrl}/`);
    assert.match((await page.textContent('body')) ?? '', /Carol/);

    await page
      .getByRole('link', { name: /protected API/i })
      .first()
      .click();
    await page.waitForURL(`${app.baseUrl}/resource`);
    assert.match((await page.textContent('body')) ?? '', /api:read/);

    await page.goto(`${app.baseUrl}/flow`);
    assert.match((await page.textContent('body')) ?? '', /Code exchange/);

    assert.deepEqual(problems, [], 'sign-in, consent, the API page and the flow page');

    // From the callback error page (Referrer-Policy no-referrer: the browser posts Origin: null).
    const forged = await page.goto(`${app.baseUrl}/callback?code=forged&state=forged`);
    assert.equal(forged?.status(), 400);
    const expected = [/^HTTP 400: .*\/callback\?/, /status of 400/];
    assert.ok(
      problems.every((problem) => expected.some((pattern) => pattern.test(problem))),
      problems.join('\n'),
    );
    problems.length = 0;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(new RegExp(`^${app.issuer}/session/end`));
    await page.getByRole('button', { name: 'Yes, sign out of the provider', exact: true }).click();
    await page.waitForURL(`${app.baseUrl}/`);
    assert.match((await page.textContent('body')) ?? '', /Sign in/);
    assert.match(
      (await page.textContent('body')) ?? '',
      /You are signed out: your refresh token was revoked/,
    );
    await page.goto(`${app.baseUrl}/flow`);
    assert.match((await page.textContent('body')) ?? '', /Sign-out: token revocation/);

    assert.deepEqual(problems, []);

    const missing = await page.goto(`${app.baseUrl}/no-such-page`);
    assert.equal(missing?.status(), 404);
    assert.match((await page.textContent('body')) ?? '', /Page not found/);
  });
});
