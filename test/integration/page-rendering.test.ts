// What rendering a page costs besides the template itself. In production Express caches the view
// and EJS its compiled templates; the views name their includes from the views folder, so a page
// served from the cache reads nothing from disk (a relative include costs an existsSync each).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import ejs from 'ejs';
import { startProviderApp } from '../support/provider-app.ts';

describe('page rendering in production', () => {
  it('renders /resource again, its partials included, without touching the file system', async (t) => {
    const app = await startProviderApp(t, {
      env: { NODE_ENV: 'production', TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    const jar = await app.signIn();
    // The first render looks the view up and compiles it: that is what the cache keeps.
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
    const lookups = [
      t.mock.method(fs, 'existsSync'),
      t.mock.method(fs, 'statSync'),
      t.mock.method(fs, 'stat'),
      t.mock.method(fs, 'readFileSync'),
      // EJS reads templates through its own copy of readFileSync, taken when it loaded.
      t.mock.method(ejs, 'fileLoader'),
    ];

    const page = await jar.fetch(`${app.baseUrl}/resource`);
    const html = await page.text();

    assert.equal(app.config.isProduction, true);
    assert.equal(page.status, 200);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/app\.css">/, 'the header partial');
    assert.deepEqual(
      lookups.map((lookup) => lookup.mock.callCount()),
      [0, 0, 0, 0, 0],
      'existsSync, statSync, stat, readFileSync, ejs.fileLoader',
    );
  });
});
