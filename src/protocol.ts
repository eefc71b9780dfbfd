// The values the flow passes between its steps: what a sign-in keeps until its callback (and the
// one rule for which of them a callback answers), what a token response leaves behind, who signed
// in, and a recorded exchange for /flow. Declared once, here, so every folder can name them without
// importing another folder.

/** One sign-in in progress, kept in the session until its callback (several tabs may sign in at once). */
export interface PendingLogin {
  /** PKCE (RFC 7636): the secret whose S256 hash went out as `code_challenge`. */
  codeVerifier: string;
  /** OIDC Core §3.1.2.1: echoed in the ID token; empty with plain OAuth 2.0 (no ID token). */
  nonce: string;
  /** Where to send the browser afterwards: a same-origin path. */
  returnTo: string;
  /** Epoch milliseconds after which the callback is refused. */
  expiresAt: number;
}

/**
 * The `state` of a callback that answers a sign-in this browser started: the query's one `state`
 * names one of the session's pending logins (RFC 6749 §10.12 binds the answer to the browser).
 * Undefined otherwise: no state, a repeated one, an unknown or used one. The sign-in limits let such
 * a callback through and the /flow recorder records it; the callback itself (flow/finish-sign-in.ts)
 * checks it again, with a reason for each refusal.
 */
export function pendingLoginAnswered(
  query: URLSearchParams,
  pendingLogins: Readonly<Record<string, PendingLogin>> | undefined,
): string | undefined {
  const states = query.getAll('state');
  const [state] = states;
  return states.length === 1 && state !== undefined && Object.hasOwn(pendingLogins ?? {}, state)
    ? state
    : undefined;
}

/** What the app keeps of a token response. Never sent to the browser. */
export interface StoredTokens {
  accessToken: string;
  tokenType: string;
  /** Absolute expiry of the access token, epoch milliseconds; absent when the provider gave none. */
  expiresAt?: number;
  /** When the access token was received, epoch milliseconds (with expiresAt: its lifetime). */
  issuedAt?: number;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
  /**
   * DPoP (RFC 9449): the private key the tokens are bound to, present only when the provider bound
   * them (`tokenType` DPoP). Kept, and encrypted at rest, with the tokens it goes with.
   */
  dpopKey?: DpopPrivateKey;
}

/** A P-256 private key as a JWK (RFC 7517): `d` is the secret; `x` and `y`, its public half, go in every proof. */
export interface DpopPrivateKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
}

/** Who signed in: from the validated ID token, or from the user endpoint with plain OAuth 2.0. */
export interface Identity {
  sub: string;
  name?: string;
  email?: string;
  /** The provider's session id (`sid` claim), which back-channel logout may name. */
  sid?: string;
}

/** The scopes OpenID Connect itself defines (OIDC Core §5.4, §11): about the user, not an API. */
export const openIdConnectScopes: ReadonlySet<string> = new Set([
  'openid',
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
]);

/** Whose sessions a back-channel logout ends: a subject, a provider session, or both at once. */
export type LogoutSubject = { sub: string; sid?: string } | { sub?: string; sid: string };

/** What kind of exchange a recorded step is; the /flow view words each kind. */
export type FlowStepKind =
  | 'discovery'
  | 'pushed-authorization-request'
  | 'authorization-request'
  | 'authorization-response'
  | 'token-request'
  | 'jwks'
  | 'token-refresh'
  | 'token-revocation'
  | 'bearer-call'
  | 'userinfo'
  | 'user-endpoint'
  | 'dpop-call'
  | 'end-session'
  | 'provider-call';

/** One recorded exchange of the flow, secrets redacted (see src/recorder). */
export interface FlowStep {
  /** Epoch milliseconds, from the app's clock. */
  at: number;
  kind: FlowStepKind;
  /** How long a call the server made took, milliseconds. */
  durationMs?: number;
  request: { method: string; url: string; params: Record<string, string> };
  response?: { status?: number; fields: Record<string, string> };
  /** What a token response carried, as far as the user may see it (a token endpoint's steps only). */
  tokens?: TokenSummary;
}

/** A JWT's header and payload, decoded; its signature is left out. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * The tokens of one token response, as /flow shows them: the ID token and a JWT access token
 * decoded (the user's own claims), refresh tokens only as fingerprints, never a whole value.
 */
export interface TokenSummary {
  idToken?: DecodedJwt;
  /** The access token's payload, or 'opaque' when it is no JWT (RFC 6749 §1.4: its format is the API's business). */
  accessToken?: Record<string, unknown> | 'opaque';
  /** A few hex digits of the SHA-256 of the refresh token sent with a refresh request. */
  refreshTokenSent?: string;
  /** The same of the refresh token the response carried, if any. */
  refreshTokenReceived?: string;
}

/** How a sign-out went, kept for the page after it and for /flow; it holds no token. */
export interface SignOutRecord {
  /** Epoch milliseconds. */
  at: number;
  /** RFC 7009: what became of the refresh token. */
  revocation: 'revoked' | 'not-issued' | 'no-endpoint' | 'failed';
  /** RP-Initiated Logout: whether the browser was sent to the provider's end-session endpoint. */
  endSession: 'redirected' | 'not-offered';
}
