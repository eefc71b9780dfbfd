// What each error code means for someone learning the flow: the check that failed and what it
// protects against. Shown on the error page in development only; production shows the safe text.
import type { ErrorCode, SignInRefusalCode } from '../errors.ts';

const explanations: Record<ErrorCode, string> = {
  unknown_state:
    'The state did not match a sign-in this browser started: this protects against login CSRF, an attacker finishing their sign-in in your browser (RFC 6749 §10.12).',
  login_expired:
    'A pending sign-in lives only a few minutes, so an old authorization response cannot be replayed later.',
  callback_malformed:
    'Every callback parameter must appear exactly once: a repeated one could make two checks read two different values.',
  callback_invalid:
    "The authorization response failed openid-client's checks, such as its iss against mix-up attacks (RFC 9207).",
  id_token_invalid:
    "The ID token's signature did not verify against the provider's keys (a 502: the provider's answer is at fault), or its iss, aud or nonce did not match this sign-in (a 400): this protects against a forged token, a token issued to another client or one replayed from another sign-in (OIDC Core §3.1.3.7).",
  code_rejected:
    'The provider refused the code (invalid_grant): already used, expired, or the PKCE verifier did not match. PKCE protects against a stolen code being redeemed (RFC 7636 §1).',
  provider_rejected:
    "The provider answered the app's back-channel call with an OAuth error (RFC 6749 §5.2); its error and error_description are in the log.",
  provider_timeout:
    "Every provider call has a timeout, so a slow provider cannot hold this app's requests forever.",
  provider_unreachable:
    'The app could not connect to the provider (nothing listening, unknown host, connection dropped): it is down or the issuer URL is wrong. Discovery is retried on the next request.',
  provider_bad_response:
    'openid-client validates every provider answer (status, content type, required fields) and this one failed; the log says which part.',
  provider_failed: 'An unexpected failure while calling the provider; the log has the cause.',
  provider_insecure_endpoint:
    'Every endpoint must be https: the token endpoint receives the client secret, the code and the PKCE verifier (RFC 6749 §3.2).',
  par_unsupported:
    "Pushed authorization requests were asked for, but the provider's metadata names no pushed_authorization_request_endpoint (RFC 9126).",
  id_token_missing:
    'An OpenID Connect code exchange must return an ID token (OIDC Core §3.1.3.3): without it the app cannot know who signed in.',
  userinfo_invalid: 'The user endpoint named no user id, and the app does not guess who signed in.',
  jwks_unavailable:
    "ID tokens and logout tokens are verified with the provider's published keys (jwks_uri); without the keys nothing is trusted.",
  refresh_failed:
    'The provider refused the refresh token (invalid_grant): revoked, expired or already rotated. Reusing a rotated one revokes the whole grant (RFC 9700 §4.14.2).',
  refresh_token_missing:
    'The access token expired and no refresh token was issued, so only a new sign-in gets a new one (offline_access, OIDC Core §11).',
  refresh_wrong_user:
    "A refreshed ID token must name the same user (OIDC Core §12.2): this keeps another account's tokens out of your session.",
  sign_in_ended:
    'The tokens were removed meanwhile: a back-channel logout, or another request found the refresh token dead.',
  application_token_refused:
    'The provider refused the client credentials grant (RFC 6749 §4.4); its error and error_description are in the log.',
  api_failed: "The API answered with a 5xx: its own failure, not the token's.",
  api_refused:
    'The API refused the call with a challenge other than invalid_token, e.g. insufficient_scope (RFC 6750 §3.1): the token lacks a scope the API requires.',
  api_timeout:
    "Every API call has a timeout, so a slow API cannot hold this app's requests forever.",
  api_unreachable: 'The connection to the API failed: it is down or RESOURCE_URL is wrong.',
  api_refused_token:
    'The API refused even a freshly renewed token; the app stops here rather than loop refresh, retry, refresh (RFC 6750 §3.1).',
  logout_token_invalid:
    'Logout tokens are verified (signature, iss, aud, events, no nonce, each jti once), so nobody can sign users out by forging one (OIDC Back-Channel Logout §2.6).',
  csrf_failed:
    "The form's synchronizer token or Origin did not match: this protects against another site submitting forms here in your name (CSRF).",
  rate_limited:
    'Sign-in starts (and callbacks answering none) are limited per client address, so one script cannot flood the provider or the session store through this app; a callback finishing a sign-in is never refused.',
  sign_in_ceiling:
    'Sign-ins in progress are capped for all clients together, so the session store stays bounded whatever addresses (or X-Forwarded-For values) the requests claim.',
  store_unavailable:
    'The session store did not answer, and the app refuses rather than run without sessions.',
  bad_request: 'The request itself could not be read, e.g. a body too large or malformed.',
  not_found: 'No route answers this path.',
  internal: 'An unexpected error; the log has the details under the reference below.',
};

/** The learner's line for a code; undefined for none (only a code typed as a plain string). */
export function explainError(code: ErrorCode | SignInRefusalCode): string | undefined {
  if (isKnown(code)) return explanations[code];
  if (code.startsWith('provider_')) {
    return `The provider answered the authorization request with error=${code.slice('provider_'.length)} instead of a code (RFC 6749 §4.1.2.1).`;
  }
  return undefined;
}

function isKnown(code: string): code is ErrorCode {
  return Object.hasOwn(explanations, code);
}
