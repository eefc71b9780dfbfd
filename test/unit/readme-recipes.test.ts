// The README's provider recipes are complete .env files the app accepts: each is parsed as
// `npm start` reads .env, then loaded with the app's own configuration loader.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../src/config/load-config.ts';
import { variables } from '../../src/config/variables.ts';

interface Recipe {
  provider: string;
  env: Record<string, string>;
}

/** The `sh` blocks of "Use a real provider", each named by the bold provider name before it. */
async function readRecipes(): Promise<Recipe[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const section = /^## Use a real provider\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/^\*\*([^*]+)\*\* \([\s\S]*?```sh\n([\s\S]*?)```/gm)].map(
    (match) => ({
      provider: match[1] ?? '',
      env: parseEnv(match[2] ?? '') as Record<string, string>,
    }),
  );
}

describe('README provider recipes', () => {
  it('has one for each provider the README promises', async () => {
    const recipes = await readRecipes();

    assert.deepEqual(
      recipes.map((recipe) => recipe.provider),
      ['Google', 'Microsoft Entra ID', 'Auth0', 'Okta', 'Keycloak', 'GitHub'],
    );
  });

  it('names only variables the app reads, with the client, its secret, the API and the URL', async () => {
    const recipes = await readRecipes();

    for (const { provider, env } of recipes) {
      const unknown = Object.keys(env).filter((name) => !(name in variables));
      assert.deepEqual(unknown, [], provider);
      for (const name of ['APP_BASE_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'RESOURCE_URL'])
        assert.ok(env[name], `${provider} sets ${name}`);
    }
  });

  it('each loads without a configuration error, in development and in production', async () => {
    const recipes = await readRecipes();
    const productionSecrets = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(32),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
    };

    for (const { provider, env } of recipes) {
      const config = loadConfig(env);
      assert.notEqual(config.provider.kind, 'dev', `${provider} names a real provider`);
      assert.doesNotThrow(() => loadConfig({ ...env, ...productionSecrets }), provider);
    }
  });
});
