// Discovery as a /flow step: the provider metadata fields that matter to the flow and to sign-out.
import type { FlowStep } from '../protocol.ts';
import { withoutQuery } from './redact.ts';

/** The provider metadata fields /flow shows: what the flow uses, and what it can do at sign-out. */
const discoveryFields = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'code_challenge_methods_supported',
  'authorization_response_iss_parameter_supported',
  'id_token_signing_alg_values_supported',
  'pushed_authorization_request_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
] as const;

/**
 * Discovery (OIDC Discovery 1.0 §4), done once per process for every user: the metadata document's
 * fields that matter here. Metadata is public: nothing is redacted, and an absent field says so.
 */
export function describeDiscovery(
  url: URL,
  metadata: Record<string, unknown>,
  timing: { at: number; durationMs: number },
): FlowStep {
  const fields: Record<string, string> = {};
  for (const name of discoveryFields) {
    const value = metadata[name];
    fields[name] =
      value === undefined
        ? 'absent'
        : Array.isArray(value)
          ? value.join(' ')
          : typeof value === 'string'
            ? value
            : JSON.stringify(value);
  }
  return {
    at: timing.at,
    kind: 'discovery',
    durationMs: timing.durationMs,
    request: { method: 'GET', url: withoutQuery(url), params: {} },
    response: { status: 200, fields },
  };
}
