import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startStandInApi } from '../support/stand-in-api.ts';
import { startTestApp } from '../support/test-app.ts';

describe('protected API answers', () => {
  it('shows the start of an answer that never ends, reading no more of it than it shows', async (t) => {
    const api = await startStandInApi(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('START-OF-ANSWER ');
      // Endless: only a reader that stops (and cancels the stream) ever gets a page.
      const timer = setInterval(() => res.write('x'.repeat(16_384)), 1);
      res.on('close', () => clearInterval(timer));
    });
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 200);
    assert.match(page, /START-OF-ANSWER/);
    assert.ok(page.length < 200_000, `the page is ${page.length} characters`);
  });

  it('shows a 502 page naming the API when it drops the connection in the middle of its answer', async (t) => {
    const api = await startStandInApi(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"orders": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 502);
    assert.match(await response.text(), /protected API/);
    assert.equal((await jar.fetch(`${app.baseUrl}/`)).status, 200, 'the session is kept');
  });
});
