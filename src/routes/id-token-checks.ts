// The ID token checks of OpenID Connect Core §3.1.3.7, shown with the values compared. openid-client
// (the claims) and src/oidc/id-token-signature.ts (the signature) ran them before the sign-in was
// accepted; this re-reads the recorded token to show how they went.
import { idTokenClockToleranceSeconds } from '../oidc/provider-checks.ts';
import type { DecodedJwt } from '../protocol.ts';

export interface IdTokenCheck {
  /** What is checked: a claim or header name. */
  name: string;
  /** Passed, failed, or (undefined) not checked at all. */
  isOk: boolean | undefined;
  /** What the token says. */
  actual: string;
  /** What it was compared with, and why. */
  expected: string;
}

export interface IdTokenExpectations {
  /** The discovered issuer, exactly. */
  issuer: string | undefined;
  clientId: string;
  /** The nonce this sign-in's authorization request carried. */
  nonce: string | undefined;
  /** The signing algorithms the provider announces (id_token_signing_alg_values_supported). */
  algorithms: string[];
  /** When the token arrived, epoch milliseconds. */
  receivedAt: number;
}

/** The tolerance the sign-in itself used (openid-client's default, kept by src/oidc). */
const toleranceSeconds = idTokenClockToleranceSeconds;

/** The checks, in the order of OIDC Core §3.1.3.7. */
export function checkIdToken(token: DecodedJwt, expected: IdTokenExpectations): IdTokenCheck[] {
  const { header, payload } = token;
  const aud = Array.isArray(payload.aud) ? payload.aud.map(String) : [String(payload.aud)];
  const alg = String(header.alg);
  const algorithms = expected.algorithms.length > 0 ? expected.algorithms : ['RS256'];
  const receivedAt = Math.floor(expected.receivedAt / 1000);
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  const iat = typeof payload.iat === 'number' ? payload.iat : undefined;
  return [
    {
      name: 'signature',
      // The sign-in was accepted only after verifyIdTokenSignature passed: a recorded token passed.
      isOk: alg !== 'none',
      actual: `alg ${alg}, kid ${header.kid === undefined ? '(none)' : String(header.kid)}`,
      expected: alg.startsWith('HS')
        ? 'verified with the client secret before the sign-in was accepted (§3.1.3.7 (8), §10.1)'
        : "verified against the provider's key set (jwks_uri) before the sign-in was accepted (§3.1.3.7 (6))",
    },
    {
      name: 'alg',
      isOk: alg !== 'none' && algorithms.includes(alg),
      actual: alg,
      expected: `one the provider announces: ${algorithms.join(', ')} (§3.1.3.7 (7))`,
    },
    {
      name: 'iss',
      isOk: expected.issuer !== undefined && payload.iss === expected.issuer,
      actual: String(payload.iss),
      expected: `the discovered issuer, exactly: ${expected.issuer ?? '(unknown)'}`,
    },
    {
      name: 'aud',
      isOk: aud.includes(expected.clientId),
      actual: aud.join(', '),
      expected: `contains this app's client_id: ${expected.clientId}`,
    },
    payload.azp === undefined
      ? {
          name: 'azp',
          isOk: aud.length === 1,
          actual: '(absent)',
          expected: 'may be absent when the token has one audience (§3.1.3.7 (4))',
        }
      : {
          name: 'azp',
          isOk: payload.azp === expected.clientId,
          actual: String(payload.azp),
          expected: `this app's client_id: ${expected.clientId}`,
        },
    {
      name: 'exp',
      isOk: exp !== undefined && exp + toleranceSeconds > receivedAt,
      actual: exp === undefined ? '(absent)' : new Date(exp * 1000).toISOString(),
      expected: `after its arrival, ${new Date(receivedAt * 1000).toISOString()} (${toleranceSeconds} s tolerance)`,
    },
    {
      name: 'iat',
      isOk: iat !== undefined && iat - toleranceSeconds <= receivedAt,
      actual: iat === undefined ? '(absent)' : new Date(iat * 1000).toISOString(),
      expected: `present, and not after its arrival (${toleranceSeconds} s tolerance)`,
    },
    {
      name: 'nonce',
      isOk: expected.nonce !== undefined && payload.nonce === expected.nonce,
      actual: payload.nonce === undefined ? '(absent)' : String(payload.nonce),
      expected: `the nonce of this sign-in's authorization request: ${expected.nonce ?? '(none)'}`,
    },
  ];
}
