// Calls the provider directly as the app's client, e.g. to revoke or introspect a token.
import type { TestApp } from './test-app.ts';

/** POSTs `params` to the provider's `endpointPath` with the app's client credentials (Basic). */
export function postToProvider(
  app: TestApp,
  endpointPath: string,
  params: Record<string, string>,
): Promise<Response> {
  const { id } = app.config.client;
  const secret = app.clientSecret;
  return fetch(`${app.issuer}${endpointPath}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams(params),
  });
}

/** Whether the provider still takes `token` (RFC 7662 introspection, as the app's client). */
export async function isActive(app: TestApp, token: string): Promise<boolean> {
  const response = await postToProvider(app, '/token/introspection', { token });
  return ((await response.json()) as { active: boolean }).active;
}
