// `npm run client-credentials`: the client credentials grant (RFC 6749 §4.4) against the real
// embedded provider and demo API, through the function the command calls, and once as the command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { runClientCredentials } from '../../src/commands/run-client-credentials.ts';
import { startDevProvider } from '../../src/dev/start-dev-provider.ts';
import type { DevServices } from '../../src/dev/start-dev-services.ts';
import { createApplicationApiCaller } from '../../src/flow/client-credentials.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createClientAuth } from '../../src/oidc/client-auth.ts';
import { createOidcClient } from '../../src/oidc/oidc-client.ts';
import { prepareStart } from '../../src/start.ts';
import { startExternalProvider } from '../support/external-provider.ts';
import { refusedOrigin } from '../support/local-server.ts';
import { testSessionSecret } from '../support/run-app.ts';
import { startStandInApi } from '../support/stand-in-api.ts';
import { tempDir } from '../support/temp-dir.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
// The child process runs with the network guard too, as this one does.
const preloadFile = path.join(import.meta.dirname, '../support/preload.ts');
// Anything shaped like a JWT (a token value) must never appear in the command's output.
const jwtShape = /eyJ[\w-]+\.[\w-]+\./;

interface Stack {
  dev: DevServices;
  /** The environment that points the command at these services, as the dev client. */
  env: Record<string, string>;
  /** Successful client_credentials grants at the provider. */
  grants: { count: number };
  /** Every access token the provider issued. */
  issuedTokens: string[];
  dataDir: string;
}

/** The embedded provider and demo API on ports 0, closed after the test. */
async function startStack(t: TestContext): Promise<Stack> {
  const { services: dev, env, dataDir } = await startExternalProvider(t, 'http://127.0.0.1:9');
  const grants = { count: 0 };
  const issuedTokens: string[] = [];
  dev.provider.on('grant.success', (ctx) => {
    if (ctx.oidc.params?.grant_type === 'client_credentials') grants.count += 1;
    const body = ctx.body as { access_token?: string } | undefined;
    if (body?.access_token) issuedTokens.push(body.access_token);
  });
  return {
    dev,
    env: {
      ...env,
      OIDC_SCOPES: 'openid profile email offline_access api:read',
      SESSION_SECRET: testSessionSecret,
    },
    grants,
    issuedTokens,
    dataDir,
  };
}

// The stand-in API's answers: a greeting, the token refused, a call forbidden.
const ok = { status: 200, body: { message: 'ok' } };
const invalidToken = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  body: { error: 'invalid_token' },
};
const forbidden = { status: 403, body: { error: 'invalid_token' } };

describe('npm run client-credentials', () => {
  it('prints the API answer and the token metadata, never the token', async (t) => {
    const stack = await startStack(t);

    const run = await runClientCredentials(stack.env, { dataDir: stack.dataDir });
    const output = run.lines.join('\n');

    assert.equal(run.exitCode, 0, run.error);
    assert.match(output, /Hello, application oauth-express-reference/);
    assert.match(output, /token type\s+bearer/i);
    // 300 s from the token response, counted down to when the line is printed (after the API call).
    assert.match(output, /expires in\s+(29\d|300) s/);
    assert.match(output, /scope\s+api:read/);
    assert.ok(output.includes(`issuer      ${stack.dev.issuer}`), output);
    assert.ok(output.includes(`audience    ${new URL(stack.dev.resourceUrl).origin}/`), output);
    assert.equal(stack.issuedTokens.length, 1);
    assert.ok(!output.includes(stack.issuedTokens[0] ?? 'no token'), 'the token is not printed');
    assert.doesNotMatch(output, jwtShape);
  });

  it('reuses the cached token for the second call: one token request at the provider', async (t) => {
    const stack = await startStack(t);

    const run = await runClientCredentials(stack.env, { dataDir: stack.dataDir });
    const output = run.lines.join('\n');

    assert.equal(run.exitCode, 0, run.error);
    assert.match(output, /Call 1 of 2: new token from the token endpoint/);
    assert.match(output, /Call 2 of 2: reused cached token \(expires in \d+ s\)/);
    assert.equal(output.match(/Hello, application/g)?.length, 2, 'both calls answered');
    assert.equal(stack.grants.count, 1);
  });

  it('asks for a new token once the cached one is within the skew of its expiry', async (t) => {
    const stack = await startStack(t);
    const { config, close } = await prepareStart(stack.env, { dataDir: stack.dataDir });
    t.after(close);
    const clientAuth = await createClientAuth(config.client.credentials);
    const oidc = createOidcClient(config, { logger: createLogger('silent'), clientAuth });
    let clock = Date.now();
    const callApi = createApplicationApiCaller({
      oidc,
      parameters: { scope: 'api:read' },
      now: () => clock,
      skewMs: 60_000,
    });

    const first = await callApi();
    clock += 239_000;
    const second = await callApi();
    clock += 2_000;
    const third = await callApi();

    assert.deepEqual(
      [first.isReused, second.isReused, third.isReused],
      [false, true, false],
      'a 300 s token is reused until 60 s before it expires',
    );
    assert.equal(third.answer.status, 200);
    assert.equal(stack.grants.count, 2);
  });

  it('starts the embedded provider and demo API itself when no provider is configured', async (t) => {
    const dataDir = await tempDir(t, 'oer-cc-');

    const run = await runClientCredentials(
      { DEV_PROVIDER_PORT: '0', DEV_API_PORT: '0' },
      { dataDir },
    );
    const output = run.lines.join('\n');

    assert.equal(run.exitCode, 0, run.error);
    assert.match(
      output,
      /Development provider\s+http:\/\/localhost:\d+ \(started for this command\)/,
    );
    assert.match(output, /Hello, application oauth-express-reference/);
    assert.match(output, /reused cached token/);
    assert.doesNotMatch(output, jwtShape);
  });

  it('when the client secret is wrong then it prints one invalid_client line and exits non-zero', async (t) => {
    const stack = await startStack(t);

    const run = await runClientCredentials(
      { ...stack.env, OIDC_CLIENT_SECRET: 'not-the-secret' },
      { dataDir: stack.dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(run.error ?? '', /^invalid_client: .*OIDC_CLIENT_SECRET/);
    assert.doesNotMatch(run.error ?? '', /\n/, 'one line');
    assert.doesNotMatch(run.error ?? '', /not-the-secret/);
  });

  it('when the client may not use the grant then it prints one unauthorized_client line', async (t) => {
    const dataDir = await tempDir(t, 'oer-cc-');
    const provider = await startDevProvider({
      port: 0,
      resourceAudience: 'http://127.0.0.1:9/',
      clients: [
        {
          clientId: 'web-only',
          clientSecret: 'web-only-secret',
          redirectUris: ['http://127.0.0.1:9/callback'],
          postLogoutRedirectUris: ['http://127.0.0.1:9/'],
          grantTypes: ['authorization_code', 'refresh_token'],
        },
      ],
    });
    t.after(() => provider.close());

    const run = await runClientCredentials(
      {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: 'web-only',
        OIDC_CLIENT_SECRET: 'web-only-secret',
        OIDC_ALLOW_INSECURE_HTTP: 'true',
        RESOURCE_URL: 'http://127.0.0.1:9/me',
        SESSION_SECRET: testSessionSecret,
      },
      { dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(run.error ?? '', /^unauthorized_client: .*client_credentials/);
    assert.doesNotMatch(run.error ?? '', /\n/);
  });

  it('when the scope is unknown then it prints one invalid_scope line', async (t) => {
    const stack = await startStack(t);

    const run = await runClientCredentials(stack.env, {
      dataDir: stack.dataDir,
      scope: 'api:write',
    });

    assert.notEqual(run.exitCode, 0);
    assert.match(run.error ?? '', /^invalid_scope: .*api:write/);
    assert.doesNotMatch(run.error ?? '', /\n/);
    assert.equal(stack.grants.count, 0);
  });

  it('when the provider cannot be reached then it prints one network line', async (t) => {
    const dataDir = await tempDir(t, 'oer-cc-');
    const origin = await refusedOrigin();

    const run = await runClientCredentials(
      {
        OIDC_ISSUER: origin,
        OIDC_CLIENT_ID: 'app',
        OIDC_CLIENT_SECRET: 'secret',
        OIDC_ALLOW_INSECURE_HTTP: 'true',
        RESOURCE_URL: `${origin}/me`,
        SESSION_SECRET: testSessionSecret,
      },
      { dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(run.error ?? '', /^network: .*provider.*cannot be reached/);
    assert.ok(run.error?.includes(origin), 'names the provider');
    assert.doesNotMatch(run.error ?? '', /\n/);
  });

  it('when the API cannot be reached then it prints one network line', async (t) => {
    const stack = await startStack(t);
    const resourceUrl = `${await refusedOrigin()}/me`;

    const run = await runClientCredentials(
      { ...stack.env, RESOURCE_URL: resourceUrl },
      { dataDir: stack.dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(run.error ?? '', /^network: .*API.*cannot be reached/);
    assert.ok(run.error?.includes(resourceUrl), 'names the API');
  });

  it('when the API refuses the cached token then it gets a new one and retries once', async (t) => {
    const stack = await startStack(t);
    const api = await startStandInApi(t, [ok, invalidToken, ok]);

    const run = await runClientCredentials(
      { ...stack.env, RESOURCE_URL: api.url },
      { dataDir: stack.dataDir },
    );
    const output = run.lines.join('\n');

    assert.equal(run.exitCode, 0, run.error);
    assert.match(output, /Call 2 of 2: new token from the token endpoint/);
    assert.equal(stack.grants.count, 2);
  });

  it('when the API refuses a new token then it prints one api line and exits non-zero', async (t) => {
    const stack = await startStack(t);
    const api = await startStandInApi(t, invalidToken);

    const run = await runClientCredentials(
      { ...stack.env, RESOURCE_URL: api.url },
      { dataDir: stack.dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(
      run.error ?? '',
      /^api: the API at .* refused a new application token \(HTTP 401\)/,
    );
    assert.equal(stack.grants.count, 1, 'no second try with a token just refused');
  });

  it('when the API answers an error status then it prints the answer and one api line', async (t) => {
    const stack = await startStack(t);
    const api = await startStandInApi(t, forbidden);

    const run = await runClientCredentials(
      { ...stack.env, RESOURCE_URL: api.url },
      { dataDir: stack.dataDir },
    );

    assert.notEqual(run.exitCode, 0);
    assert.match(run.lines.join('\n'), /API answer\s+HTTP 403/);
    assert.doesNotMatch(run.lines.join('\n'), /Call 2 of 2/, 'no second call after a failure');
    assert.equal(run.error, `api: the API at ${api.url} answered HTTP 403`);
  });

  it('runs as a command: node bin/client-credentials.ts prints the answer and exits 0', async (t) => {
    const stack = await startStack(t);

    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', preloadFile, 'bin/client-credentials.ts'],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...stack.env }, timeout: 30_000 },
    );

    assert.match(stdout, /Hello, application oauth-express-reference/);
    assert.match(stdout, /reused cached token/);
    assert.doesNotMatch(stdout + stderr, jwtShape);
    assert.equal(stack.grants.count, 1);
  });
});
