// npm run doctor against the real embedded provider and demo API: configured right, then wrong in
// the ways a deployment goes wrong (secret, auth method, scopes, issuer, provider down, API open).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runDoctor } from '../../src/doctor/run-doctor.ts';
import { startExternalProvider } from '../support/external-provider.ts';
import { gitHubEnv, startGitHubLikeProvider } from '../support/github-like-provider.ts';
import { refusedOrigin } from '../support/local-server.ts';
import { always, answerWith, fault, rewriteMetadata } from '../support/provider-faults.ts';
import { startStandInApi } from '../support/stand-in-api.ts';
import { tempDir } from '../support/temp-dir.ts';

const doctorFile = path.join(import.meta.dirname, '../../bin/doctor.ts');
const preloadFile = path.join(import.meta.dirname, '../support/preload.ts');
// Registered at the dev provider; the doctor never calls the app itself, so nothing listens there.
const appBaseUrl = 'http://localhost:3999';

/** The line of the check named `label`, or undefined when the run printed none. */
function lineOf(lines: string[], label: string): string | undefined {
  return lines.find((line) => /^[✓⚠✗] /.test(line) && line.slice(2).startsWith(`${label}:`));
}

function failedLines(lines: string[]): string[] {
  return lines.filter((line) => line.startsWith('✗'));
}

describe('runDoctor', () => {
  it('when the configuration is right, then every check passes and the exit code is 0', async (t) => {
    const { env, dataDir, services } = await startExternalProvider(t, appBaseUrl);

    const { lines, exitCode } = await runDoctor(env, { dataDir });

    assert.deepEqual(failedLines(lines), []);
    assert.equal(exitCode, 0);
    for (const label of [
      'Discovery',
      'Endpoints',
      'Client authentication method',
      'Client credentials',
      'Scopes',
      'PKCE',
      'Revocation',
      'Provider sign-out',
      'Back-channel logout',
      'Clock',
      'Protected API',
    ]) {
      assert.match(lineOf(lines, label) ?? `${label}: missing`, /^✓ /, label);
    }
    assert.match(lineOf(lines, 'Client credentials') ?? '', /invalid_grant/);
    assert.match(lineOf(lines, 'Protected API') ?? '', new RegExp(`${services.resourceUrl}.*401`));
    assert.ok(lines.includes(`  Redirect URI:             ${appBaseUrl}/callback`));
    assert.ok(lines.includes(`  Post-logout redirect URI: ${appBaseUrl}/`));
    assert.ok(lines.includes(`  Back-channel logout URI:  ${appBaseUrl}/backchannel-logout`));
  });

  it('when no provider is configured, then it starts the embedded provider and demo API as npm start does and checks them', async (t) => {
    const dataDir = await tempDir(t, 'oer-doctor-');
    const env = { DEV_PROVIDER_PORT: '0', DEV_API_PORT: '0' };

    const { lines, exitCode } = await runDoctor(env, { dataDir });

    assert.deepEqual(failedLines(lines), []);
    assert.equal(exitCode, 0);
    assert.ok(lines.some((line) => line.includes('embedded development provider')));
    assert.match(lineOf(lines, 'Client credentials') ?? '', /^✓ /);
    // npm start adds the demo API's scope, which the provider does not list (resource scopes).
    assert.match(lineOf(lines, 'Scopes') ?? '', /^⚠ .*api:read/);
  });

  it('when the secret is wrong, then the credentials check fails naming invalid_client and the exit code is 1', async (t) => {
    const { env, dataDir } = await startExternalProvider(t, appBaseUrl);

    const { lines, exitCode } = await runDoctor(
      { ...env, OIDC_CLIENT_SECRET: 'not-the-secret' },
      { dataDir },
    );

    assert.match(
      lineOf(lines, 'Client credentials') ?? '',
      /^✗ .*invalid_client.*OIDC_CLIENT_SECRET/,
    );
    assert.equal(failedLines(lines).length, 1);
    assert.equal(exitCode, 1);
  });

  it('when the auth method is one the provider does not list, then that check fails naming the ones it does', async (t) => {
    const { env, dataDir, services } = await startExternalProvider(t, appBaseUrl);
    // The provider lists what it supports in discovery; this one takes client secrets only.
    services.provider.use(
      rewriteMetadata((metadata) => {
        metadata.token_endpoint_auth_methods_supported = [
          'client_secret_basic',
          'client_secret_post',
        ];
      }),
    );
    const keyFile = path.join(dataDir, 'client-key.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const { OIDC_CLIENT_SECRET: _secret, ...withoutSecret } = env;

    const { lines, exitCode } = await runDoctor(
      {
        ...withoutSecret,
        OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
        OIDC_CLIENT_PRIVATE_KEY_FILE: keyFile,
      },
      { dataDir },
    );

    assert.match(
      lineOf(lines, 'Client authentication method') ?? '',
      /^✗ .*private_key_jwt.*OIDC_CLIENT_AUTH_METHOD=client_secret_basic or client_secret_post/,
    );
    // The client is registered with a secret: the provider knows no key for it either.
    assert.match(lineOf(lines, 'Client credentials') ?? '', /^✗ .*invalid_client/);
    assert.equal(exitCode, 1);
  });

  it('when a requested scope is one the provider does not list, then it warns (providers need not list every scope) and the exit code stays 0', async (t) => {
    const { env, dataDir } = await startExternalProvider(t, appBaseUrl);

    const { lines, exitCode } = await runDoctor(
      { ...env, OIDC_SCOPES: 'openid nope' },
      { dataDir },
    );

    assert.match(lineOf(lines, 'Scopes') ?? '', /^⚠ .*nope.*invalid_scope/);
    assert.equal(exitCode, 0);
  });

  it('when a requested OpenID Connect scope is one the provider does not list, then it fails (as Google refuses offline_access)', async (t) => {
    const { env, dataDir } = await startExternalProvider(t, appBaseUrl);

    const { lines, exitCode } = await runDoctor(
      { ...env, OIDC_SCOPES: 'openid phone' },
      { dataDir },
    );

    assert.match(lineOf(lines, 'Scopes') ?? '', /^✗ .*phone.*Fix: remove phone from OIDC_SCOPES/);
    assert.equal(exitCode, 1);
  });

  it('when OIDC_ISSUER names the provider by another host name, then discovery fails giving the exact issuer', async (t) => {
    const { env, dataDir, services } = await startExternalProvider(t, appBaseUrl);
    const otherName = services.issuer.replace('127.0.0.1', 'localhost');

    const { lines, exitCode } = await runDoctor({ ...env, OIDC_ISSUER: otherName }, { dataDir });

    assert.match(
      lineOf(lines, 'Discovery') ?? '',
      new RegExp(`^✗ .*${services.issuer}.*Fix: set OIDC_ISSUER=${services.issuer}`),
    );
    assert.equal(lineOf(lines, 'Client credentials'), undefined, 'nothing else is asked of it');
    assert.equal(exitCode, 1);
  });

  it('when the provider cannot be reached, then discovery fails and the run ends with the API checked', async (t) => {
    const { env, dataDir } = await startExternalProvider(t, appBaseUrl);
    const closedPort = await refusedOrigin();

    const { lines, exitCode } = await runDoctor({ ...env, OIDC_ISSUER: closedPort }, { dataDir });

    assert.match(lineOf(lines, 'Discovery') ?? '', /^✗ .*cannot be reached.*ECONNREFUSED/);
    assert.match(lineOf(lines, 'Protected API') ?? '', /^✓ /);
    assert.equal(failedLines(lines).length, 1);
    assert.equal(exitCode, 1);
  });

  it('when an endpoint is plain http on another host, then that check fails and the credentials are not sent', async (t) => {
    const { env, dataDir, services } = await startExternalProvider(t, appBaseUrl);
    services.provider.use(
      rewriteMetadata((metadata) => {
        metadata.token_endpoint = 'http://192.0.2.1/token';
      }),
    );

    const { lines, exitCode } = await runDoctor(env, { dataDir });

    assert.match(lineOf(lines, 'Endpoints') ?? '', /^✗ .*token_endpoint http:\/\/192\.0\.2\.1/);
    assert.match(lineOf(lines, 'Client credentials') ?? '', /^⚠ Client credentials: not tried/);
    assert.equal(exitCode, 1);
  });

  it('when RESOURCE_URL answers without a token, then the API check fails', async (t) => {
    const { env, dataDir } = await startExternalProvider(t, appBaseUrl);
    const open = await startStandInApi(t, { status: 200, body: '{"orders":[]}' });

    const { lines, exitCode } = await runDoctor({ ...env, RESOURCE_URL: open.url }, { dataDir });

    assert.match(lineOf(lines, 'Protected API') ?? '', /^✗ .*200 without a token/);
    assert.equal(exitCode, 1);
  });

  it("prints the provider's own words without the control characters that could rewrite the terminal", async (t) => {
    const { env, dataDir, services } = await startExternalProvider(t, appBaseUrl);
    services.provider.use(
      fault(
        '/token',
        always,
        answerWith(400, {
          error: 'invalid_client',
          error_description: 'refused\u001b[2J\u001b[Hcleared',
        }),
      ),
    );

    const { lines } = await runDoctor(env, { dataDir });
    const credentials = lineOf(lines, 'Client credentials') ?? '';

    assert.match(credentials, /^✗ .*invalid_client.*refused\uFFFD\[2J\uFFFD\[Hcleared/);
    assert.ok(
      lines.every((line) => !line.includes('\u001b')),
      'no escape character printed',
    );
  });

  it('with plain OAuth 2.0 (a GitHub-like provider), runs the checks that apply', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const dataDir = await tempDir(t, 'oer-doctor-');
    const env = { APP_BASE_URL: appBaseUrl, ...gitHubEnv(github) };

    const right = await runDoctor(env, { dataDir });
    const wrong = await runDoctor({ ...env, OIDC_CLIENT_SECRET: 'not-the-secret' }, { dataDir });

    assert.equal(lineOf(right.lines, 'Client authentication method'), undefined);
    assert.equal(lineOf(right.lines, 'Scopes'), undefined);
    assert.match(lineOf(right.lines, 'Client credentials') ?? '', /^✓ /);
    assert.match(lineOf(right.lines, 'PKCE') ?? '', /^⚠ /);
    assert.match(lineOf(right.lines, 'Revocation') ?? '', /^⚠ /);
    assert.match(lineOf(right.lines, 'Clock') ?? '', /^✓ /);
    assert.match(lineOf(right.lines, 'Protected API') ?? '', /^✓ /);
    assert.equal(right.exitCode, 0);
    assert.match(lineOf(wrong.lines, 'Client credentials') ?? '', /^✗ .*invalid_client/);
    assert.equal(wrong.exitCode, 1);
  });

  it('when a variable is invalid, then it prints the configuration error and exits 1 without checking', async (t) => {
    const dataDir = await tempDir(t, 'oer-doctor-');

    const { lines, exitCode } = await runDoctor({ OIDC_ISSUER: 'not a url' }, { dataDir });

    assert.match(lines.join('\n'), /✗ Configuration: OIDC_ISSUER/);
    assert.equal(lineOf(lines, 'Discovery'), undefined);
    assert.equal(exitCode, 1);
  });
});

describe('node bin/doctor.ts', () => {
  it('reads the environment, prints one line per check and exits 1 when a check fails', async (t) => {
    const { env } = await startExternalProvider(t, appBaseUrl);
    const cwd = await tempDir(t, 'oer-doctor-cwd-');
    const child = spawn(process.execPath, ['--import', preloadFile, doctorFile], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env, OIDC_CLIENT_SECRET: 'not-the-secret' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });

    const [exitCode] = await once(child, 'exit');

    const lines = output.split('\n');
    assert.match(lineOf(lines, 'Discovery') ?? '', /^✓ /);
    assert.match(lineOf(lines, 'Client credentials') ?? '', /^✗ .*invalid_client/);
    assert.equal(exitCode, 1);
  });
});
