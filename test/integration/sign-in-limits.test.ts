// The sign-in limits (src/http/sign-in-limits.ts, decision 012): a callback answering a sign-in
// this browser started is never refused; what one address may do is start sign-ins (and send
// callbacks that answer none); sessions without a signed-in user have a ceiling that no
// X-Forwarded-For value gets around; with Redis the counters are shared by the instances.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { readSession } from '../support/read-session.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { withDatabase } from '../support/sqlite-rows.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const encryptionKey = Buffer.alloc(32, 7).toString('base64');
// What one sign-in start by a browser nobody signed into stores at most, sealed as in production,
// with the longest returnTo (README, decision 012): its pending login; its steps stay in memory.
const maxBytesPerSignInStart = 1024;

/** A new browser's sign-in, up to the provider's redirect back to the app (not followed). */
async function atCallback(app: TestApp, login = 'alice'): Promise<{ jar: CookieJar; url: string }> {
  const jar = new CookieJar();
  const redirect = await signInThroughProvider(`${app.baseUrl}/login`, jar, {
    login,
    stopAt: `${app.baseUrl}/callback`,
  });
  const url = redirect.headers.get('location') ?? '';
  assert.ok(url.startsWith(`${app.baseUrl}/callback`), `stopped at ${url}`);
  return { jar, url };
}

/** Follows the provider's redirect back to the app: the callback's status. */
async function finish({ jar, url }: { jar: CookieJar; url: string }): Promise<number> {
  return (await jar.fetch(url)).status;
}

function startLogin(app: TestApp, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.baseUrl}/login`, { redirect: 'manual', headers });
}

/** Runs `task` for 0..count-1, `width` at a time. */
async function inParallel<T>(count: number, width: number, task: (i: number) => Promise<T>) {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

function randomAddress(): string {
  const byte = () => Math.floor(Math.random() * 256);
  return `${1 + Math.floor(Math.random() * 222)}.${byte()}.${byte()}.${byte()}`;
}

function sessionRows(app: TestApp): { count: number; bytes: number } {
  const row = withDatabase(app.dbPath, (db) =>
    db
      .prepare(
        'SELECT count(*) AS count, coalesce(sum(length(sid) + length(data) + 8), 0) AS bytes FROM sessions',
      )
      .get(),
  );
  return { count: Number(row?.count), bytes: Number(row?.bytes) };
}

describe('sign-in limits', () => {
  it('never refuses a callback that answers a sign-in this browser started, even over the address limit', async (t) => {
    const app = await startTestApp(t, { env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });
    const signingIn = await atCallback(app);

    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await startLogin(app)).status);
    const callback = await signingIn.jar.fetch(signingIn.url);

    assert.deepEqual(statuses, [302, 302, 429, 429], 'the address is over its limit');
    assert.equal(callback.status, 302);
    assert.equal(callback.headers.get('location'), '/');
    assert.match(await (await signingIn.jar.fetch(`${app.baseUrl}/`)).text(), /action="\/logout"/);
  });

  it('sends the code of one started sign-in to the provider once, however many copies of its callback arrive together', async (t) => {
    // Rule 1 lets these callbacks through uncounted: each would otherwise reach the token endpoint,
    // since all of them load the session before the first one saves it without the sign-in.
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const login = await jar.fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    const state = new URL(login.headers.get('location') ?? '').searchParams.get('state');
    const iss = encodeURIComponent(app.issuer);

    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        jar
          .fetch(`${app.baseUrl}/callback?code=forged-${i}&state=${state}&iss=${iss}`, {
            redirect: 'manual',
          })
          .then((response) => response.status),
      ),
    );

    assert.equal(app.grantErrors.length, 1, `${app.grantErrors.length} codes reached the provider`);
    assert.ok(
      statuses.every((status) => status === 400),
      statuses.join(' '),
    );
  });

  it('lets 200 people behind one address start and finish their sign-ins with the defaults', async (t) => {
    // The full 200 sign-ins through the provider's pages take 10-45 s here (the provider's work,
    // not the limits): `node bench/sign-in-crowd.ts` runs them. This test keeps what the limits
    // see: 200 /login from one address, then 200 callbacks answering them (with a code the
    // provider refuses, so each still reaches the token endpoint), and a few real sign-ins.
    const app = await startTestApp(t, { env: { SESSION_DB_PATH: ':memory:', LOG_LEVEL: 'warn' } });

    const callbacks = await inParallel(200, 20, async () => {
      const jar = new CookieJar();
      const login = await jar.fetch(`${app.baseUrl}/login`);
      const state = new URL(login.headers.get('location') ?? '').searchParams.get('state') ?? '';
      const callback = await jar.fetch(`${app.baseUrl}/callback?code=made-up&state=${state}`);
      await callback.arrayBuffer();
      return [login.status, callback.status];
    });
    const signIns = await inParallel(10, 10, async (i) =>
      finish(await atCallback(app, `user${i}`)),
    );

    assert.deepEqual(
      callbacks.filter(
        ([login, callback]) => login !== 302 || callback === 429 || callback === 503,
      ),
      [],
    );
    assert.deepEqual(signIns, Array(10).fill(302));
  });

  it("does not let one noisy client on the address block the others' callbacks", async (t) => {
    const app = await startTestApp(t, { env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '20' } });
    const others = await inParallel(5, 5, (i) => atCallback(app, `colleague${i}`));

    // Sign-in starts and guessed callbacks, from the same address as the others.
    const noise = await inParallel(100, 10, async (i) => {
      const response = await fetch(
        i % 2 ? `${app.baseUrl}/callback?code=x&state=guessed` : `${app.baseUrl}/login`,
        { redirect: 'manual' },
      );
      await response.arrayBuffer();
      return response.status;
    });
    const statuses = await inParallel(5, 5, (i) => finish(others[i] as (typeof others)[number]));

    assert.ok(noise.includes(429), 'the noisy client is limited');
    assert.deepEqual(statuses, [302, 302, 302, 302, 302]);
  });

  it('counts callbacks that answer no sign-in, and refuses them with a 429 page and Retry-After', async (t) => {
    const app = await startTestApp(t, { env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });

    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${app.baseUrl}/callback?code=x&state=guessed${attempt}`);
      statuses.push(response.status);
    }
    const refused = await fetch(`${app.baseUrl}/callback?code=x&state=guessed`);
    const page = await refused.text();

    assert.deepEqual(statuses, [400, 400, 400]);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(page, /Too many sign-in attempts/);
    assert.doesNotMatch(page, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('gives each client address its own budget', async (t) => {
    const app = await startTestApp(t, {
      env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' },
    });
    const from = (address: string) => ({ 'x-forwarded-for': address });

    const first = [];
    for (let attempt = 0; attempt < 3; attempt++)
      first.push((await startLogin(app, from('198.51.100.7'))).status);
    const second = (await startLogin(app, from('203.0.113.9'))).status;

    assert.deepEqual(first, [302, 302, 429]);
    assert.equal(second, 302);
  });

  it('keeps the store within its ceiling under 3,000 anonymous /login requests with random X-Forwarded-For', async (t) => {
    // A low ceiling, so that 3,000 requests go well past it (the default is 10,000).
    const ceiling = 200;
    const app = await startTestApp(t, {
      env: {
        SIGN_IN_SESSION_CEILING: String(ceiling),
        TRUST_PROXY: 'loopback',
        TOKEN_ENCRYPTION_KEY: encryptionKey,
        LOG_LEVEL: 'warn',
      },
    });

    const flood = await inParallel(3000, 20, async () => {
      const response = await startLogin(app, { 'x-forwarded-for': randomAddress() });
      await response.arrayBuffer();
      return response.status;
    });
    const refused = await startLogin(app, { 'x-forwarded-for': randomAddress() });
    const page = await refused.text();
    const rows = sessionRows(app);

    assert.equal(refused.status, 503, 'over the ceiling, /login answers 503');
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'with Retry-After');
    assert.match(page, /Too many sign-ins in progress/);
    assert.doesNotMatch(page, /at .*\.ts:\d+/, 'no stack trace');
    assert.ok(rows.count <= ceiling, `${rows.count} sessions`);
    assert.ok(rows.bytes <= ceiling * maxBytesPerSignInStart, `${rows.bytes} bytes`);
    assert.equal(
      flood.filter((status) => status === 302).length,
      rows.count,
      'every /login let through made one session',
    );
  });

  it('stores a bounded row for a sign-in start by a browser nobody signed into', async (t) => {
    const app = await startTestApp(t, { env: { TOKEN_ENCRYPTION_KEY: encryptionKey } });
    const longest = `/${'a'.repeat(255)}`;

    await startLogin(app);
    const short = sessionRows(app).bytes;
    await fetch(`${app.baseUrl}/login?returnTo=${longest}`, { redirect: 'manual' });
    const long = sessionRows(app).bytes - short;
    const jar = new CookieJar();
    for (let attempt = 0; attempt < 20; attempt++)
      await jar.fetch(`${app.baseUrl}/login?returnTo=${longest}`);
    const oneBrowser = sessionRows(app).bytes - short - long;

    t.diagnostic(
      `sign-in start: ${short} bytes; with the longest returnTo: ${long}; one browser, 20 starts: ${oneBrowser}`,
    );
    assert.ok(short <= maxBytesPerSignInStart, `${short} bytes`);
    assert.ok(long <= maxBytesPerSignInStart, `${long} bytes`);
    // Five sign-ins in progress at most per browser.
    assert.ok(oneBrowser <= 5 * maxBytesPerSignInStart, `${oneBrowser} bytes after 20 starts`);
  });

  it('ends a session without a signed-in user 20 minutes after its sign-in started, pages loaded meanwhile', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    await jar.fetch(`${app.baseUrl}/login`);
    const id = app.sessionIdOf(jar);

    // 25 minutes of a page every 5: within the idle timeout (30 minutes), past the sign-in's 20.
    for (let minute = 0; minute < 25; minute += 5) {
      app.advanceClock(5 * 60 * 1000);
      await jar.fetch(`${app.baseUrl}/`);
    }

    assert.equal(await readSession(app.backend, id), undefined);
  });

  it('keeps that end when the session is written again without a sign-in start: a late callback', async (t) => {
    // The clock of the whole process, not only the app's: express-session dates a session it
    // saves from Date.now().
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const minutes = (count: number) => t.mock.timers.tick(count * 60 * 1000);
    const app = await startTestApp(t);
    const callback = await atCallback(app);
    const id = app.sessionIdOf(callback.jar);

    // 15 minutes on the provider's pages: the sign-in (10 minutes) has expired. The callback says
    // so, and writes the session, whose sign-in in progress it used up.
    minutes(15);
    assert.equal(await finish(callback), 400);
    assert.deepEqual((await readSession(app.backend, id))?.pendingLogins, {}, 'written again');

    // Still 20 minutes after the sign-in started, not 20 after that write (express-session would
    // give a saved session its whole lifetime from now again).
    minutes(6);
    assert.equal(await readSession(app.backend, id), undefined);
  });

  it('shares the counters of two instances on one Redis', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, {
      env: { SESSION_STORE: 'redis', REDIS_URL: redis.url, SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' },
    });
    const other = await app.addInstance();

    const statuses = [];
    for (const base of [app.baseUrl, other, app.baseUrl, other])
      statuses.push((await fetch(`${base}/login`, { redirect: 'manual' })).status);

    assert.deepEqual(statuses, [302, 302, 302, 429]);
  });

  it('shares the ceiling of two instances on one Redis, whatever addresses they see', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, {
      env: {
        SESSION_STORE: 'redis',
        REDIS_URL: redis.url,
        SIGN_IN_SESSION_CEILING: '4',
        TRUST_PROXY: 'loopback',
      },
    });
    const other = await app.addInstance();

    const statuses = [];
    for (const base of [app.baseUrl, other, app.baseUrl]) {
      const headers = { 'x-forwarded-for': randomAddress() };
      statuses.push((await fetch(`${base}/login`, { redirect: 'manual', headers })).status);
    }

    assert.deepEqual(statuses, [302, 302, 503], 'half the ceiling per window, for both');
  });

  it('keeps counting on Redis after Redis forgot its scripts (NOSCRIPT)', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, {
      env: { SESSION_STORE: 'redis', REDIS_URL: redis.url, SIGN_IN_RATE_LIMIT_PER_MINUTE: '2' },
    });
    const admin = createClient({ url: redis.url });

    const first = (await startLogin(app)).status;
    await admin.connect();
    await admin.scriptFlush();
    await admin.close();
    const statuses = [first];
    for (let attempt = 0; attempt < 2; attempt++) statuses.push((await startLogin(app)).status);

    assert.deepEqual(statuses, [302, 302, 429]);
  });
});
