// What rendering a page costs besides the template itself: no file-system lookups.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { startTestApp } from '../support/test-app.ts';

describe('page rendering', () => {
  it('renders /resource, its partials included, without looking up a file', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const lookups = t.mock.method(fs, 'existsSync');
    const stats = t.mock.method(fs, 'stat');

    const page = await jar.fetch(`${app.baseUrl}/resource`);
    const html = await page.text();

    assert.equal(page.status, 200);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/app\.css">/, 'the head partial');
    assert.equal(lookups.mock.callCount(), 0, 'existsSync calls');
    assert.equal(stats.mock.callCount(), 0, 'stat calls');
  });
});
