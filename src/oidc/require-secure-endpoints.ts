// Refuses provider metadata that names a plain-http endpoint anywhere but on a loopback host: the
// issuer alone is checked in the configuration, and its metadata may point elsewhere.
import { isLoopbackHost } from '../config/read-env.ts';
import { ProviderError } from '../errors.ts';

/** Provider metadata as discovered (RFC 8414 §2, OIDC Discovery §3), or built from the OAUTH_* URLs. */
type Metadata = Readonly<Record<string, unknown>>;

/**
 * Throws a ProviderError (502, `provider_insecure_endpoint`) unless every endpoint the metadata
 * names (each `*_endpoint`, `jwks_uri` and the mTLS aliases) is https, or http on a loopback host
 * when `isInsecureHttpAllowed`. Run it before the metadata is used, so nothing is sent there.
 */
export function requireSecureEndpoints(metadata: Metadata, isInsecureHttpAllowed: boolean): void {
  for (const [field, value] of endpointsOf(metadata)) {
    if (typeof value !== 'string' || isSecure(value, isInsecureHttpAllowed)) continue;
    // The token endpoint receives the client's credentials, the code and the PKCE verifier, which
    // must travel over TLS (RFC 6749 §3.2); the others receive tokens or the user's browser.
    throw new ProviderError(
      502,
      'provider_insecure_endpoint',
      'The identity provider is not configured securely',
      "The identity provider's metadata names an endpoint that is not https, so this app does not use it.",
      new Error(
        `the provider metadata names ${field} ${value}: endpoints must be https (plain http only on a loopback host, with OIDC_ALLOW_INSECURE_HTTP=true)`,
      ),
    );
  }
}

function* endpointsOf(metadata: Metadata): Generator<[string, unknown]> {
  for (const [field, value] of Object.entries(metadata)) {
    if (field.endsWith('_endpoint') || field === 'jwks_uri') yield [field, value];
  }
  const aliases = metadata.mtls_endpoint_aliases;
  if (typeof aliases === 'object' && aliases !== null) {
    for (const [field, value] of Object.entries(aliases)) {
      yield [`mtls_endpoint_aliases.${field}`, value];
    }
  }
}

function isSecure(value: string, isInsecureHttpAllowed: boolean): boolean {
  const url = URL.parse(value);
  if (url?.protocol === 'https:') return true;
  return url?.protocol === 'http:' && isInsecureHttpAllowed && isLoopbackHost(url.hostname);
}
