import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { devClient, type LoadedConfig, loadConfig } from '../../src/config/load-config.ts';
import { isLoopbackHost } from '../../src/config/read-env.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { type VariableName, variables } from '../../src/config/variables.ts';
import { ConfigError } from '../../src/errors.ts';

const sessionSecret = 'a-session-secret-of-at-least-32-characters';
const otherSessionSecret = 'the-next-session-secret-also-32-chars-long';
const keyBytes = Buffer.alloc(32, 7);
const otherKeyBytes = Buffer.alloc(32, 9);

/** A real provider outside production: everything a provider needs and nothing more. */
const providerEnv = {
  OIDC_ISSUER: 'https://id.example.com',
  OIDC_CLIENT_ID: 'my-app',
  OIDC_CLIENT_SECRET: 'client-secret-value',
  RESOURCE_URL: 'https://api.example.com/me',
};

/** A complete production configuration; each refusal test removes or spoils one variable. */
const productionEnv = {
  ...providerEnv,
  NODE_ENV: 'production',
  APP_BASE_URL: 'https://app.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: sessionSecret,
  TOKEN_ENCRYPTION_KEY: keyBytes.toString('base64'),
};

/** A plain OAuth 2.0 provider (GitHub's three endpoints) instead of OIDC_ISSUER. */
const oauthEnv = {
  ...without(providerEnv, 'OIDC_ISSUER'),
  OAUTH_AUTHORIZATION_ENDPOINT: 'https://github.com/login/oauth/authorize',
  OAUTH_TOKEN_ENDPOINT: 'https://github.com/login/oauth/access_token',
  OAUTH_USERINFO_ENDPOINT: 'https://api.github.com/user',
};

function without(env: Record<string, string>, name: VariableName): Record<string, string> {
  const { [name]: _removed, ...rest } = env;
  return rest;
}

/** The ConfigError loadConfig throws for `env`; fails the test when it does not throw one. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw a ConfigError');
}

/** The message of the ConfigError loadConfig throws for `env`. */
function refusal(env: NodeJS.ProcessEnv): string {
  return configError(env).message;
}

/** One line: the variable first, then the problem, then `example: NAME=<its example>`. */
function assertNamesVariable(message: string | undefined, name: VariableName): void {
  assert.ok(message !== undefined, `no line for ${name}`);
  assert.equal(message.includes('\n'), false, `more than one line: ${message}`);
  assert.ok(message.startsWith(`${name} `), `does not start with ${name}: ${message}`);
  assert.ok(
    message.endsWith(`; example: ${name}=${variables[name].example}`),
    `does not end with the example of ${name}: ${message}`,
  );
  assert.ok(message.length > `${name} ; example: ${name}=`.length + variables[name].example.length);
}

/** One line per variable of `names`, in that order, each as assertNamesVariable wants it. */
function assertProblems(error: ConfigError, names: VariableName[]): void {
  const named = error.problems.map((line) => line.slice(0, line.indexOf(' ')));
  assert.deepEqual(named, names, error.message);
  for (const [index, name] of names.entries()) assertNamesVariable(error.problems[index], name);
  assert.equal(error.message, error.problems.join('\n'));
}

describe('loadConfig defaults', () => {
  it('uses the dev provider, port 3000 and a plain cookie with an empty environment', () => {
    const config = loadConfig({});

    assert.deepEqual(config.provider, { kind: 'dev' });
    assert.equal('isDevProvider' in config, false);
    assert.equal(config.isProduction, false);
    assert.equal(config.port, 3000);
    assert.equal(config.baseUrl.href, 'http://localhost:3000/');
    assert.equal(config.redirectUri, 'http://localhost:3000/callback');
    assert.equal(config.postLogoutRedirectUri, 'http://localhost:3000/');
    assert.equal(config.session.cookieName, 'oer.sid');
    assert.equal(config.session.isSecureCookie, false);
  });

  it('fills in the documented defaults of every other setting', () => {
    const config = loadConfig({});

    assert.deepEqual(config.client, {
      id: devClient.id,
      credentials: { method: 'client_secret_basic', secret: devClient.secret },
    });
    assert.equal(config.scopes, 'openid profile email offline_access');
    assert.deepEqual(config.authParams, {});
    assert.equal('resourceUrl' in config, false);
    assert.deepEqual(config.session.secrets, []);
    assert.deepEqual(config.session.store, { kind: 'sqlite', path: 'data/sessions.db' });
    assert.equal(config.session.idleTimeoutMs, 1800 * 1000);
    assert.equal(config.session.maxAgeMs, 28800 * 1000);
    assert.deepEqual(config.tokenEncryptionKeys, []);
    assert.equal(config.refreshSkewMs, 60_000);
    assert.equal(config.httpTimeoutSeconds, 10);
    assert.equal(config.trustProxy, undefined);
    assert.equal(config.logLevel, 'info');
    assert.ok('dev' in config);
    assert.deepEqual(config.dev, { providerPort: 3001, apiPort: 3002 });
  });

  it('derives the redirect URI from PORT when APP_BASE_URL is unset', () => {
    const config = loadConfig({ PORT: '4000' });

    assert.equal(config.port, 4000);
    assert.equal(config.redirectUri, 'http://localhost:4000/callback');
  });
});

describe('APP_BASE_URL', () => {
  it('uses a __Host- cookie that is Secure for an https base URL', () => {
    const config = loadConfig({
      ...providerEnv,
      APP_BASE_URL: 'https://app.example.com',
      TRUST_PROXY: '1',
    });

    assert.equal(config.session.cookieName, '__Host-oer.sid');
    assert.equal(config.session.isSecureCookie, true);
    assert.equal(config.redirectUri, 'https://app.example.com/callback');
    assert.equal(config.postLogoutRedirectUri, 'https://app.example.com/');
  });

  it('refuses an https base URL without TRUST_PROXY, since the app serves plain HTTP behind a proxy', () => {
    assert.throws(() => loadConfig({ ...providerEnv, APP_BASE_URL: 'https://app.example.com' }), {
      name: 'ConfigError',
      message:
        /^TRUST_PROXY must name the TLS-terminating proxy .*; example: TRUST_PROXY=10.0.0.2$/,
    });
  });

  it('accepts a base URL with a trailing slash', () => {
    const config = loadConfig({
      ...providerEnv,
      APP_BASE_URL: 'https://app.example.com/',
      TRUST_PROXY: '1',
    });

    assert.equal(config.redirectUri, 'https://app.example.com/callback');
  });

  for (const value of ['app.example.com', 'ftp://app.example.com', 'not a url']) {
    it(`refuses ${JSON.stringify(value)} with a one-line message that shows the value`, () => {
      const message = refusal({ APP_BASE_URL: value });

      assertNamesVariable(message, 'APP_BASE_URL');
      assert.match(message, /http\(s\) URL/);
      assert.ok(message.includes(`(got "${value}")`), message);
    });
  }

  for (const value of [
    'https://app.example.com/app',
    'https://app.example.com/?next=1',
    'https://app.example.com/#top',
  ]) {
    it(`refuses ${value}: an origin without path, query or fragment is needed`, () => {
      const message = refusal({ APP_BASE_URL: value });

      assertNamesVariable(message, 'APP_BASE_URL');
      assert.match(message, /without a path, query or fragment/);
    });
  }
});

describe('PORT', () => {
  for (const value of ['abc', '70000', '-1', '3000.5']) {
    it(`refuses ${JSON.stringify(value)} with a one-line message that shows the value`, () => {
      const message = refusal({ PORT: value });

      assertNamesVariable(message, 'PORT');
      assert.ok(message.includes(`(got "${value}")`), message);
    });
  }

  it('ignores surrounding whitespace', () => {
    const config = loadConfig({ PORT: ' 8080 ' });

    assert.equal(config.port, 8080);
  });
});

describe('session lifetimes', () => {
  for (const name of ['SESSION_IDLE_TIMEOUT_SECONDS', 'SESSION_MAX_AGE_SECONDS'] as const) {
    it(`refuses a ${name} too short for a sign-in at the provider`, () => {
      const message = refusal({ [name]: '119' });

      assertNamesVariable(message, name);
      assert.match(message, /at least 120/);
    });
  }

  it('accepts two minutes, in milliseconds', () => {
    const config = loadConfig({
      SESSION_IDLE_TIMEOUT_SECONDS: '120',
      SESSION_MAX_AGE_SECONDS: '120',
    });

    assert.equal(config.session.idleTimeoutMs, 120_000);
    assert.equal(config.session.maxAgeMs, 120_000);
  });
});

describe('secrets in error messages', () => {
  it('does not echo a SESSION_SECRET that is too short', () => {
    const secret = 'short-but-secret-value';

    const message = refusal({ SESSION_SECRET: secret });

    assertNamesVariable(message, 'SESSION_SECRET');
    assert.match(message, /at least 32 characters/);
    assert.equal(message.includes(secret), false, message);
  });

  it('does not echo a bad TOKEN_ENCRYPTION_KEY, nor the good key beside it', () => {
    const good = keyBytes.toString('base64');
    const bad = Buffer.from('sixteen-byte-key').toString('base64');

    const message = refusal({ TOKEN_ENCRYPTION_KEY: `${good},${bad}` });

    assertNamesVariable(message, 'TOKEN_ENCRYPTION_KEY');
    assert.match(message, /32-byte/);
    assert.equal(message.includes(bad), false, message);
    assert.equal(message.includes(good), false, message);
  });

  it('does not echo a bad REDIS_URL, which may hold a password', () => {
    const message = refusal({ REDIS_URL: 'http://user:hunter2-password@cache.example' });

    assertNamesVariable(message, 'REDIS_URL');
    assert.equal(message.includes('hunter2'), false, message);
  });
});

describe('http provider URLs', () => {
  it('refuses an http OIDC_ISSUER without OIDC_ALLOW_INSECURE_HTTP', () => {
    const message = refusal({ ...providerEnv, OIDC_ISSUER: 'http://127.0.0.1:9000' });

    assertNamesVariable(message, 'OIDC_ALLOW_INSECURE_HTTP');
    assert.match(message, /must be true/);
  });

  it('refuses an http OIDC_ISSUER on a non-loopback host even with OIDC_ALLOW_INSECURE_HTTP', () => {
    const env = {
      ...providerEnv,
      OIDC_ISSUER: 'http://id.example.com',
      OIDC_ALLOW_INSECURE_HTTP: 'true',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_ALLOW_INSECURE_HTTP');
    assert.match(message, /loopback hosts only, not id\.example\.com/);
  });

  it('accepts an http OIDC_ISSUER on 127.0.0.1 with OIDC_ALLOW_INSECURE_HTTP', () => {
    const env = {
      ...providerEnv,
      OIDC_ISSUER: 'http://127.0.0.1:9000',
      OIDC_ALLOW_INSECURE_HTTP: 'true',
    };

    const config = loadConfig(env);

    assert.equal(
      config.provider.kind === 'oidc' && config.provider.issuer.href,
      'http://127.0.0.1:9000/',
    );
    assert.equal(config.allowInsecureHttp, true);
  });

  it('keeps allowInsecureHttp off for an https provider', () => {
    const config = loadConfig(providerEnv);

    assert.equal(config.allowInsecureHttp, false);
  });

  it('refuses an OIDC_ALLOW_INSECURE_HTTP that is not true or false', () => {
    const message = refusal({ ...providerEnv, OIDC_ALLOW_INSECURE_HTTP: 'yes' });

    assertNamesVariable(message, 'OIDC_ALLOW_INSECURE_HTTP');
    assert.match(message, /must be true or false/);
  });

  it('refuses an http RESOURCE_URL on a loopback host without OIDC_ALLOW_INSECURE_HTTP', () => {
    const message = refusal({ ...providerEnv, RESOURCE_URL: 'http://127.0.0.1:9001/me' });

    assertNamesVariable(message, 'RESOURCE_URL');
    assert.match(message, /must be https/);
  });

  it('refuses an http RESOURCE_URL on a non-loopback host even with OIDC_ALLOW_INSECURE_HTTP', () => {
    const env = {
      ...providerEnv,
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      RESOURCE_URL: 'http://api.example.com/me',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'RESOURCE_URL');
  });
});

describe('production refusals', () => {
  it('accepts a complete production configuration', () => {
    const config = loadConfig(productionEnv);

    assert.equal(config.isProduction, true);
    assert.deepEqual(config.session.secrets, [sessionSecret]);
  });

  it('refuses production without SESSION_SECRET', () => {
    const message = refusal(without(productionEnv, 'SESSION_SECRET'));

    assertNamesVariable(message, 'SESSION_SECRET');
    assert.match(message, /required in production/);
  });

  it('refuses production without TOKEN_ENCRYPTION_KEY', () => {
    const message = refusal(without(productionEnv, 'TOKEN_ENCRYPTION_KEY'));

    assertNamesVariable(message, 'TOKEN_ENCRYPTION_KEY');
    assert.match(message, /required in production/);
  });

  it('refuses production with an http APP_BASE_URL on a non-loopback host', () => {
    const message = refusal({ ...productionEnv, APP_BASE_URL: 'http://app.example.com' });

    assertNamesVariable(message, 'APP_BASE_URL');
    assert.match(message, /must be https in production/);
  });

  it('allows production on an http loopback APP_BASE_URL (a local smoke test)', () => {
    const config = loadConfig({ ...productionEnv, APP_BASE_URL: 'http://localhost:8080' });

    assert.equal(config.redirectUri, 'http://localhost:8080/callback');
    assert.equal(config.session.isSecureCookie, false);
  });

  it('refuses production without OIDC_ISSUER: the dev provider never runs there', () => {
    const message = refusal(without(productionEnv, 'OIDC_ISSUER'));

    assertNamesVariable(message, 'OIDC_ISSUER');
    assert.match(message, /required in production/);
  });
});

describe('a provider instead of the dev provider', () => {
  it('requires OIDC_CLIENT_ID', () => {
    const message = refusal(without(providerEnv, 'OIDC_CLIENT_ID'));

    assertNamesVariable(message, 'OIDC_CLIENT_ID');
  });

  it('requires RESOURCE_URL', () => {
    const message = refusal(without(providerEnv, 'RESOURCE_URL'));

    assertNamesVariable(message, 'RESOURCE_URL');
  });
});

describe('OAUTH_* endpoints (plain OAuth 2.0)', () => {
  it('configures a plain OAuth 2.0 provider with its three endpoints', () => {
    const config = loadConfig(oauthEnv);

    assert.equal(config.provider.kind, 'oauth2');
    assert.ok(config.provider.kind === 'oauth2');
    assert.equal(
      config.provider.authorizationEndpoint.href,
      'https://github.com/login/oauth/authorize',
    );
    assert.equal(config.provider.tokenEndpoint.href, 'https://github.com/login/oauth/access_token');
    assert.equal(config.provider.userinfoEndpoint.href, 'https://api.github.com/user');
  });

  it('refuses the endpoints without a user endpoint: without an ID token, it says who signed in', () => {
    const message = refusal(without(oauthEnv, 'OAUTH_USERINFO_ENDPOINT'));

    assertNamesVariable(message, 'OAUTH_USERINFO_ENDPOINT');
    assert.match(message, /required with the OAUTH_\* endpoints/);
    assert.match(message, /no ID token/);
  });

  it('refuses a token endpoint alone, naming both endpoints it lacks', () => {
    const env = without(
      without(oauthEnv, 'OAUTH_AUTHORIZATION_ENDPOINT'),
      'OAUTH_USERINFO_ENDPOINT',
    );

    const error = configError(env);

    assertProblems(error, ['OAUTH_AUTHORIZATION_ENDPOINT', 'OAUTH_USERINFO_ENDPOINT']);
  });

  it('is accepted in production instead of OIDC_ISSUER', () => {
    const env = { ...without(productionEnv, 'OIDC_ISSUER'), ...oauthEnv };

    const config = loadConfig(env);

    assert.equal(config.provider.kind, 'oauth2');
  });

  it('refuses a token endpoint without an authorization endpoint', () => {
    const message = refusal(without(oauthEnv, 'OAUTH_AUTHORIZATION_ENDPOINT'));

    assertNamesVariable(message, 'OAUTH_AUTHORIZATION_ENDPOINT');
    assert.match(message, /required with OAUTH_TOKEN_ENDPOINT/);
  });

  it('refuses an issuer together with the OAuth 2.0 endpoints', () => {
    const message = refusal({ ...oauthEnv, OIDC_ISSUER: 'https://id.example.com' });

    assert.match(message, /^OIDC_ISSUER and OAUTH_\*_ENDPOINT are exclusive/m);
  });

  it('refuses a user endpoint next to an issuer instead of ignoring it', () => {
    const message = refusal({
      ...providerEnv,
      OAUTH_USERINFO_ENDPOINT: 'https://api.example.com/user',
    });

    assertNamesVariable(message, 'OAUTH_USERINFO_ENDPOINT');
    assert.match(message, /with OIDC_ISSUER the UserInfo endpoint is discovered/);
  });

  it('refuses a user endpoint alone rather than starting the development provider', () => {
    const message = refusal({ OAUTH_USERINFO_ENDPOINT: 'https://api.example.com/user' });

    assert.match(message, /^OAUTH_AUTHORIZATION_ENDPOINT is required/m);
  });

  it('refuses an authorization endpoint without a token endpoint', () => {
    const message = refusal(without(oauthEnv, 'OAUTH_TOKEN_ENDPOINT'));

    assertNamesVariable(message, 'OAUTH_TOKEN_ENDPOINT');
    assert.match(message, /required with OAUTH_AUTHORIZATION_ENDPOINT/);
  });

  it('refuses an http user endpoint on a non-loopback host', () => {
    const env = {
      ...oauthEnv,
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      OAUTH_USERINFO_ENDPOINT: 'http://api.example.com/user',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_ALLOW_INSECURE_HTTP');
    assert.match(message, /not api\.example\.com/);
  });
});

describe('SESSION_STORE', () => {
  it('requires REDIS_URL with SESSION_STORE=redis', () => {
    const message = refusal({ SESSION_STORE: 'redis' });

    assertNamesVariable(message, 'REDIS_URL');
    assert.match(message, /required with SESSION_STORE=redis/);
  });

  it('uses redis when REDIS_URL is given', () => {
    const config = loadConfig({ SESSION_STORE: 'redis', REDIS_URL: 'rediss://cache.example:6380' });

    assert.deepEqual(config.session.store, { kind: 'redis', url: 'rediss://cache.example:6380' });
  });

  it('keeps the SQLite path out of a redis store, and REDIS_URL out of a sqlite one', () => {
    const env = { REDIS_URL: 'redis://cache.example', SESSION_DB_PATH: '/var/lib/app/s.db' };

    const sqlite = loadConfig(env);
    const redis = loadConfig({ ...env, SESSION_STORE: 'redis' });

    assert.deepEqual(sqlite.session.store, { kind: 'sqlite', path: '/var/lib/app/s.db' });
    assert.deepEqual(redis.session.store, { kind: 'redis', url: 'redis://cache.example' });
  });

  it('refuses an unknown store', () => {
    const message = refusal({ SESSION_STORE: 'memcached' });

    assertNamesVariable(message, 'SESSION_STORE');
    assert.match(message, /must be sqlite or redis \(got "memcached"\)/);
  });
});

describe('OIDC_CLIENT_AUTH_METHOD', () => {
  it('requires a client secret with the default client_secret_basic', () => {
    const message = refusal(without(providerEnv, 'OIDC_CLIENT_SECRET'));

    assertNamesVariable(message, 'OIDC_CLIENT_SECRET');
    assert.match(message, /required with client_secret_basic/);
  });

  it('requires a client secret with client_secret_post', () => {
    const env = {
      ...without(providerEnv, 'OIDC_CLIENT_SECRET'),
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_post',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_CLIENT_SECRET');
    assert.match(message, /required with client_secret_post/);
  });

  it('needs no secret with none (a public client)', () => {
    const env = { ...without(providerEnv, 'OIDC_CLIENT_SECRET'), OIDC_CLIENT_AUTH_METHOD: 'none' };

    const config = loadConfig(env);

    assert.deepEqual(config.client.credentials, { method: 'none' });
  });

  it('keeps no secret for none even when one is set', () => {
    const config = loadConfig({ ...providerEnv, OIDC_CLIENT_AUTH_METHOD: 'none' });

    assert.deepEqual(config.client.credentials, { method: 'none' });
  });

  it('takes the secret with client_secret_post', () => {
    const config = loadConfig({ ...providerEnv, OIDC_CLIENT_AUTH_METHOD: 'client_secret_post' });

    assert.deepEqual(config.client, {
      id: 'my-app',
      credentials: { method: 'client_secret_post', secret: 'client-secret-value' },
    });
  });

  it('requires a private key file with private_key_jwt', () => {
    const env = {
      ...without(providerEnv, 'OIDC_CLIENT_SECRET'),
      OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_CLIENT_PRIVATE_KEY_FILE');
  });

  it('takes the key file and key id with private_key_jwt', () => {
    const env = {
      ...without(providerEnv, 'OIDC_CLIENT_SECRET'),
      OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
      OIDC_CLIENT_PRIVATE_KEY_FILE: '/run/secrets/key.pem',
      OIDC_CLIENT_KEY_ID: 'key-1',
    };

    const config = loadConfig(env);

    assert.deepEqual(config.client.credentials, {
      method: 'private_key_jwt',
      privateKeyFile: '/run/secrets/key.pem',
      keyId: 'key-1',
    });
  });

  it('gives private_key_jwt the key file alone: no secret, and no key id when unset', () => {
    const env = {
      ...providerEnv,
      OIDC_CLIENT_AUTH_METHOD: 'private_key_jwt',
      OIDC_CLIENT_PRIVATE_KEY_FILE: '/run/secrets/key.pem',
    };

    const config = loadConfig(env);

    assert.deepEqual(config.client.credentials, {
      method: 'private_key_jwt',
      privateKeyFile: '/run/secrets/key.pem',
    });
  });

  it('refuses an unknown method and lists the valid ones', () => {
    const message = refusal({ ...providerEnv, OIDC_CLIENT_AUTH_METHOD: 'client_secret_jwt' });

    assertNamesVariable(message, 'OIDC_CLIENT_AUTH_METHOD');
    assert.match(message, /client_secret_basic, client_secret_post, private_key_jwt or none/);
  });
});

describe('SESSION_SECRET and TOKEN_ENCRYPTION_KEY rotation', () => {
  it('reads a comma-separated list of session secrets, the first one first', () => {
    const config = loadConfig({ SESSION_SECRET: ` ${sessionSecret} , ${otherSessionSecret},` });

    assert.deepEqual(config.session.secrets, [sessionSecret, otherSessionSecret]);
  });

  it('refuses a list where one secret is too short', () => {
    const message = refusal({ SESSION_SECRET: `${sessionSecret},too-short` });

    assertNamesVariable(message, 'SESSION_SECRET');
  });

  it('reads a comma-separated list of 32-byte base64 keys', () => {
    const value = `${keyBytes.toString('base64')}, ${otherKeyBytes.toString('base64')}`;

    const config = loadConfig({ TOKEN_ENCRYPTION_KEY: value });

    assert.equal(config.tokenEncryptionKeys.length, 2);
    assert.ok(config.tokenEncryptionKeys[0]?.equals(keyBytes));
    assert.ok(config.tokenEncryptionKeys[1]?.equals(otherKeyBytes));
  });

  it('refuses a hex key (openssl rand -hex 32 instead of -base64 32)', () => {
    const message = refusal({ TOKEN_ENCRYPTION_KEY: keyBytes.toString('hex') });

    assertNamesVariable(message, 'TOKEN_ENCRYPTION_KEY');
  });
});

describe('other values', () => {
  it('parses OIDC_AUTH_PARAMS as a query string', () => {
    const env = {
      OIDC_AUTH_PARAMS: 'audience=https://api.example.com&acr_values=urn%3Aacr%3Asilver',
    };

    const config = loadConfig(env);

    assert.deepEqual(config.authParams, {
      audience: 'https://api.example.com',
      acr_values: 'urn:acr:silver',
    });
  });

  it('refuses TRUST_PROXY=true, which lets any client choose its IP', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), {
      name: 'ConfigError',
      message:
        /^TRUST_PROXY must be a hop count or the proxy addresses, not true; example: TRUST_PROXY=10.0.0.2$/,
    });
  });

  it('refuses the development provider behind a public APP_BASE_URL', () => {
    assert.throws(() => loadConfig({ APP_BASE_URL: 'http://app.example.com' }), {
      name: 'ConfigError',
      message: /^OIDC_ISSUER is required when APP_BASE_URL is not a loopback address/,
    });
  });

  for (const [value, expected] of [
    ['false', undefined],
    ['2', 2],
    ['loopback', 'loopback'],
  ] as const) {
    it(`reads TRUST_PROXY=${value} as ${JSON.stringify(expected)}`, () => {
      const config = loadConfig({ TRUST_PROXY: value });

      assert.equal(config.trustProxy, expected);
    });
  }

  it('accepts the example of every variable, so the examples in error messages work', () => {
    const accepted: string[] = [];
    const refused: string[] = [];

    for (const [name, variable] of Object.entries(variables)) {
      // The one example that is a shell command stands for what the command prints.
      const value =
        variable.example === '$(openssl rand -base64 32)'
          ? randomBytes(32).toString('base64')
          : variable.example;
      const env: Record<string, string | undefined> = {
        ...productionEnv,
        REDIS_URL: 'redis://localhost:6379',
        [name]: value,
      };
      if (name.startsWith('OAUTH_')) {
        // Plain OAuth 2.0 endpoints replace OIDC_ISSUER and come as a set of three.
        env.OIDC_ISSUER = undefined;
        env.OAUTH_AUTHORIZATION_ENDPOINT ??= variables.OAUTH_AUTHORIZATION_ENDPOINT.example;
        env.OAUTH_TOKEN_ENDPOINT ??= variables.OAUTH_TOKEN_ENDPOINT.example;
        env.OAUTH_USERINFO_ENDPOINT ??= variables.OAUTH_USERINFO_ENDPOINT.example;
      }
      try {
        loadConfig(env);
        accepted.push(name);
      } catch (error) {
        refused.push(`${name}=${value}: ${(error as Error).message}`);
      }
    }

    assert.deepEqual(refused, []);
    assert.equal(accepted.length, Object.keys(variables).length);
  });
});

describe('the returned config', () => {
  it('is frozen, nested objects and lists included', () => {
    const config = loadConfig({
      ...providerEnv,
      OIDC_AUTH_PARAMS: 'audience=api',
      SESSION_SECRET: sessionSecret,
      TOKEN_ENCRYPTION_KEY: keyBytes.toString('base64'),
    });
    const devConfig = loadConfig({});

    assert.ok('dev' in devConfig);
    for (const part of [
      config,
      config.client,
      config.client.credentials,
      config.session,
      config.session.secrets,
      config.session.store,
      config.authParams,
      config.provider,
      devConfig.dev,
      config.tokenEncryptionKeys,
    ]) {
      assert.equal(Object.isFrozen(part), true);
    }
    assert.throws(() => {
      config.session.cookieName = 'changed';
    }, TypeError);
    assert.throws(() => {
      config.session.secrets.push('another');
    }, TypeError);
    assert.throws(() => {
      config.authParams.prompt = 'none';
    }, TypeError);
  });
});

describe('several problems at once', () => {
  it('reports every bad variable, one line each, in the order they are declared', () => {
    const env = {
      PORT: 'abc',
      OIDC_CLIENT_AUTH_METHOD: 'client_secret_jwt',
      SESSION_STORE: 'memcached',
      LOG_LEVEL: 'loud',
    };

    const error = configError(env);

    assertProblems(error, ['PORT', 'OIDC_CLIENT_AUTH_METHOD', 'SESSION_STORE', 'LOG_LEVEL']);
    assert.match(error.message, /^PORT must be a whole number \(got "abc"\);/m);
    assert.match(error.message, /^LOG_LEVEL must be fatal, error, .* \(got "loud"\);/m);
  });

  it('reports a missing value beside a bad one', () => {
    const env = { ...without(productionEnv, 'SESSION_SECRET'), HTTP_TIMEOUT_SECONDS: '0' };

    const error = configError(env);

    assertProblems(error, ['HTTP_TIMEOUT_SECONDS', 'SESSION_SECRET']);
    assert.match(error.message, /^HTTP_TIMEOUT_SECONDS must be at least 1 \(got "0"\);/m);
    assert.match(error.message, /^SESSION_SECRET is required in production;/m);
  });

  it('when one value is bad, then the rules between the good ones still run', () => {
    const env = {
      ...without(providerEnv, 'OIDC_CLIENT_SECRET'),
      APP_BASE_URL: 'https://app.example.com',
      SESSION_STORE: 'redis',
      LOG_LEVEL: 'loud',
    };

    const error = configError(env);

    assertProblems(error, ['LOG_LEVEL', 'TRUST_PROXY', 'OIDC_CLIENT_SECRET', 'REDIS_URL']);
  });

  it('when PORT is bad, then only PORT is reported, not the APP_BASE_URL made from it', () => {
    const message = refusal({ PORT: 'abc' });

    assertNamesVariable(message, 'PORT');
  });

  it('when REDIS_URL is bad, then it is reported once, not also as missing for the redis store', () => {
    const message = refusal({ SESSION_STORE: 'redis', REDIS_URL: 'http://cache.example' });

    assertNamesVariable(message, 'REDIS_URL');
    assert.match(message, /must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('when the auth method is bad, then the client secret is not reported as missing', () => {
    const env = { ...without(providerEnv, 'OIDC_CLIENT_SECRET'), OIDC_CLIENT_AUTH_METHOD: 'jwt' };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_CLIENT_AUTH_METHOD');
  });

  it('when OIDC_ISSUER is bad, then it is not also refused as the dev provider on a public URL', () => {
    const env = {
      ...providerEnv,
      OIDC_ISSUER: 'id.example.com',
      APP_BASE_URL: 'http://app.example.com',
    };

    const message = refusal(env);

    assertNamesVariable(message, 'OIDC_ISSUER');
    assert.match(message, /http\(s\) URL \(got "id\.example\.com"\)/);
  });

  it('when APP_BASE_URL is bad, then TRUST_PROXY=true is still refused', () => {
    const error = configError({ APP_BASE_URL: 'not a url', TRUST_PROXY: 'true' });

    assertProblems(error, ['APP_BASE_URL', 'TRUST_PROXY']);
    assert.match(
      error.message,
      /^TRUST_PROXY must be a hop count or the proxy addresses, not true;/m,
    );
  });
});

describe('resolveConfig', () => {
  const devServices = {
    issuer: 'http://localhost:3001',
    resourceUrl: 'http://localhost:3002/api/orders',
  };

  it('fills in the dev provider and its demo API', () => {
    const loaded: LoadedConfig = { ...loadConfig({}), allowInsecureHttp: false };

    const config = resolveConfig(loaded, { devServices, sessionSecret });

    assert.equal(config.isDevProvider, true);
    assert.deepEqual(config.provider, { kind: 'oidc', issuer: new URL(devServices.issuer) });
    assert.equal(config.resourceUrl.href, devServices.resourceUrl);
    assert.equal(config.allowInsecureHttp, true);
    assert.equal('dev' in config, false);
    assert.equal(loaded.allowInsecureHttp, false);
    assert.deepEqual(loaded.provider, { kind: 'dev' });
  });

  it("adds the demo API's scope once", () => {
    const withScope = loadConfig({ OIDC_SCOPES: 'openid api:read' });

    const added = resolveConfig(loadConfig({}), { devServices, sessionSecret });
    const kept = resolveConfig(withScope, { devServices, sessionSecret });

    assert.equal(added.scopes, 'openid profile email offline_access api:read');
    assert.equal(kept.scopes, 'openid api:read');
  });

  it('adds prompt=consent and keeps the other parameters', () => {
    const loaded = loadConfig({ OIDC_AUTH_PARAMS: 'audience=api' });

    const config = resolveConfig(loaded, { devServices, sessionSecret });

    assert.deepEqual(config.authParams, { prompt: 'consent', audience: 'api' });
  });

  it('does not override a configured prompt', () => {
    const loaded = loadConfig({ OIDC_AUTH_PARAMS: 'prompt=login' });

    const config = resolveConfig(loaded, { devServices, sessionSecret });

    assert.deepEqual(config.authParams, { prompt: 'login' });
  });

  it('returns a frozen config', () => {
    const config = resolveConfig(loadConfig({}), { devServices, sessionSecret });

    assert.equal(Object.isFrozen(config), true);
    assert.equal(Object.isFrozen(config.authParams), true);
    assert.equal(Object.isFrozen(config.provider), true);
    assert.equal(Object.isFrozen(config.session.secrets), true);
  });

  it('keeps a real provider and its API as loaded, without dev services', () => {
    const loaded = loadConfig({ ...providerEnv, SESSION_SECRET: sessionSecret });

    const config = resolveConfig(loaded, {});

    assert.equal(config.isDevProvider, false);
    assert.deepEqual(config.provider, { kind: 'oidc', issuer: new URL(providerEnv.OIDC_ISSUER) });
    assert.equal(config.resourceUrl.href, providerEnv.RESOURCE_URL);
    assert.equal(config.scopes, 'openid profile email offline_access');
    assert.deepEqual(config.authParams, {});
  });

  it('when SESSION_SECRET is unset, then it uses the supplied secret', () => {
    const config = resolveConfig(loadConfig(providerEnv), { sessionSecret });

    assert.deepEqual(config.session.secrets, [sessionSecret]);
  });

  it('when SESSION_SECRET is set, then it keeps those secrets and ignores the supplied one', () => {
    const loaded = loadConfig({ ...providerEnv, SESSION_SECRET: otherSessionSecret });

    const config = resolveConfig(loaded, { sessionSecret });

    assert.deepEqual(config.session.secrets, [otherSessionSecret]);
  });

  it('refuses a config without any session secret, with a plain Error (a bug, not a bad variable)', () => {
    const loaded = loadConfig(providerEnv);

    assert.throws(
      () => resolveConfig(loaded, {}),
      (error) =>
        error instanceof Error &&
        !(error instanceof ConfigError) &&
        /sessionSecret/.test(error.message),
    );
  });

  it('refuses the dev provider without its services, with a plain Error', () => {
    const loaded = loadConfig({});

    assert.throws(
      () => resolveConfig(loaded, { sessionSecret }),
      (error) =>
        error instanceof Error &&
        !(error instanceof ConfigError) &&
        /devServices/.test(error.message),
    );
  });
});

describe('isLoopbackHost', () => {
  for (const host of ['localhost', '127.0.0.1', '127.10.20.30', '[::1]']) {
    it(`counts ${host} as loopback`, () => {
      assert.equal(isLoopbackHost(host), true);
    });
  }

  for (const host of [
    'example.com',
    'localhost.example.com',
    '127.0.0.1.nip.io',
    'evil127.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '[::2]',
    '',
  ]) {
    it(`does not count ${JSON.stringify(host)} as loopback`, () => {
      assert.equal(isLoopbackHost(host), false);
    });
  }

  it('agrees with the hostname the URL parser gives', () => {
    const hostname = new URL('http://LOCALHOST:3000/').hostname;

    assert.equal(isLoopbackHost(hostname), true);
  });
});

describe('OIDC_USE_PAR and OIDC_USE_DPOP', () => {
  it('leaves both off by default', () => {
    const config = loadConfig(providerEnv);

    assert.equal(config.usePar, false);
    assert.equal(config.useDpop, false);
  });

  it('turns both on', () => {
    const config = loadConfig({ ...providerEnv, OIDC_USE_PAR: 'true', OIDC_USE_DPOP: 'true' });

    assert.equal(config.usePar, true);
    assert.equal(config.useDpop, true);
  });

  it('refuses OIDC_USE_PAR with the OAUTH_* endpoints: only discovery names a pushed-request endpoint', () => {
    const env = { ...oauthEnv, OIDC_USE_PAR: 'true' };

    const error = configError(env);

    assertProblems(error, ['OIDC_USE_PAR']);
    assert.match(error.message, /OIDC_ISSUER/);
  });
});
