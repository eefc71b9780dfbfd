// What each claim of a decoded token means, in one line, and a readable date for the time claims.

export interface ClaimRow {
  name: string;
  /** The value as text (JSON for anything but a string). */
  value: string;
  /** One line for a person; empty for a claim this list does not know. */
  meaning: string;
  /** The time claims (seconds since 1970, RFC 7519 §2 NumericDate) as an ISO date. */
  date?: string;
}

const meanings: Record<string, string> = {
  alg: 'The signature algorithm (RFC 7515 §4.1.1).',
  kid: "Which of the provider's published keys signed it (RFC 7515 §4.1.4).",
  typ: 'The token type (RFC 7519 §5.1; at+jwt for an access token, RFC 9068).',
  iss: 'Issuer: the provider that made the token.',
  sub: 'Subject: your stable, unique id at this provider.',
  aud: 'Audience: who the token is for (this app for an ID token, the API for an access token).',
  exp: 'Expires: the token must be refused after this time.',
  iat: 'Issued at.',
  nbf: 'Not valid before this time.',
  auth_time: 'When you last actually entered your credentials at the provider.',
  nonce:
    "The value this app sent in the authorization request: proves the token is this sign-in's.",
  acr: 'How strongly you were authenticated (authentication context class).',
  amr: 'How you authenticated (password, one-time code, …).',
  azp: 'Authorized party: the client the token was issued to.',
  at_hash: 'Half a hash of the access token issued with it, binding the two.',
  c_hash: 'Half a hash of the authorization code, binding the two.',
  sid: "Your session's id at the provider; a back-channel logout names it.",
  jti: 'A unique id of this token.',
  scope: 'What the token allows at the API.',
  client_id: 'The client the access token was issued to (RFC 9068 §2.2).',
  cnf: 'Confirmation: the key the token is bound to (DPoP, RFC 9449 §6).',
  name: 'Your full name.',
  given_name: 'Your given name.',
  family_name: 'Your family name.',
  preferred_username: 'The name you go by.',
  email: 'Your email address.',
  email_verified: 'Whether the provider checked that the address is yours.',
  picture: 'A picture of you.',
  locale: 'Your language and region.',
  updated_at: 'When your profile last changed.',
};

const timeClaims = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** Each claim with its meaning, in the token's order. */
export function describeClaims(claims: Record<string, unknown>): ClaimRow[] {
  return Object.entries(claims).map(([name, value]) => {
    const isTime = timeClaims.has(name) && typeof value === 'number' && Number.isFinite(value);
    return {
      name,
      value: typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)),
      meaning: meanings[name] ?? '',
      ...(isTime && { date: new Date(value * 1000).toISOString() }),
    };
  });
}
