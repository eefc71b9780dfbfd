// Validates an OpenID Connect Back-Channel Logout 1.0 logout token (§2.6): signature against the
// provider's JWKS, iss, aud, iat, the back-channel event, sid and/or sub, and no nonce. Whether its
// jti was used before is for the caller to check, in the store every instance shares.
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { LogoutTokenError } from '../errors.ts';
import type { LogoutSubject } from '../protocol.ts';
import { type IdTokenSigningKeys, keysUnavailable, signatureFaults } from './id-token-signature.ts';
import { idTokenClockToleranceSeconds } from './provider-checks.ts';

const backchannelEvent = 'http://schemas.openid.net/event/backchannel-logout';
// A logout token is accepted up to this long after its iat, and with this much clock skew.
const maxTokenAgeSeconds = 5 * 60;
const clockToleranceSeconds = idTokenClockToleranceSeconds;
// §2.4 RECOMMENDS typ logout+jwt, it does not require it: providers that predate it send none, and
// Keycloak 24 and earlier the generic JWT. What tells a logout token from an ID token is the events
// claim and the absence of nonce (§4.1), checked below whatever the typ. A token typed as anything
// else (an access token's at+jwt, RFC 9068) says it is another kind of token and is refused.
// RFC 7515 §4.1.9: compared case-insensitively, with or without the `application/` prefix.
const acceptedTypes = new Set(['logout+jwt', 'application/logout+jwt', 'jwt', 'application/jwt']);

// What jose throws when the token itself is bad, as opposed to the provider's keys being unavailable.
const tokenFaults = [
  errors.JWTClaimValidationFailed,
  errors.JWTExpired,
  errors.JWTInvalid,
  ...signatureFaults,
];

/** A logout token that verified: whose sessions to end, and what the replay and age checks need. */
export interface VerifiedLogoutToken {
  subject: LogoutSubject;
  /** The token's unique id: the caller accepts each one once (§2.6 recommends it, against replay). */
  jti: string;
  /**
   * The latest sign-in time (epoch ms, our clock) the logout applies to: its `iat`, plus the clock
   * tolerance in case our clock runs ahead of the provider's. A later sign-in is a new session.
   */
  signedInBy: number;
  /**
   * How long (ms from now) to remember its jti: while this or another instance would still
   * accept the token, plus the clock tolerance again for instances whose clocks differ.
   */
  rememberForMs: number;
}

/** Verifies one logout token; rejects with LogoutTokenError, or a 503 ProviderError without keys. */
export type LogoutTokenVerifier = (token: string) => Promise<VerifiedLogoutToken>;

export interface LogoutTokenVerifierOptions {
  issuer: string;
  clientId: string;
  /** The provider's key set, shared with the ID token checks (`fetchProviderKeys`). */
  keys: JWTVerifyGetKey;
  /**
   * Algorithms the provider signs ID tokens with, never `none`: createSigningKeys
   * (id-token-signature.ts) builds this list and drops it, and jose verifies no unsigned token.
   */
  algorithms: IdTokenSigningKeys['algorithms'];
}

/** Creates a verifier that checks signatures with the provider's key set (fetched once, cached). */
export function createLogoutTokenVerifier(
  options: LogoutTokenVerifierOptions,
): LogoutTokenVerifier {
  const { keys, algorithms } = options;
  return async (token) => {
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { typ },
      } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms,
        requiredClaims: ['iat', 'exp', 'jti'],
        maxTokenAge: maxTokenAgeSeconds,
        clockTolerance: clockToleranceSeconds,
      }));
    } catch (error) {
      if (tokenFaults.some((fault) => error instanceof fault)) {
        throw new LogoutTokenError('The logout token did not verify.', error);
      }
      // Anything else (the keys timed out, answered 5xx or garbage) is not the token's fault: a
      // 503 tells the provider to try again later.
      throw keysUnavailable(error);
    }
    if (typ !== undefined && !acceptedTypes.has(typ.toLowerCase())) {
      throw new LogoutTokenError('The token is not a logout token.');
    }
    const events = payload.events as Record<string, unknown> | undefined;
    if (typeof events?.[backchannelEvent] !== 'object' || events[backchannelEvent] === null) {
      throw new LogoutTokenError('The logout token has no back-channel logout event.');
    }
    // §2.6: a nonce would make it an ID token; refusing it stops ID tokens being replayed as logout tokens.
    if (payload.nonce !== undefined)
      throw new LogoutTokenError('A logout token must not contain a nonce.');
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    const subject: LogoutSubject | undefined = sub
      ? { sub, ...(sid && { sid }) }
      : sid
        ? { sid }
        : undefined;
    if (!subject) throw new LogoutTokenError('The logout token names neither sub nor sid.');
    const { jti, iat, exp } = payload;
    if (typeof jti !== 'string') throw new LogoutTokenError('The logout token has no jti string.');
    // Both numbers: jwtVerify requires them (requiredClaims) and checks their type.
    if (typeof iat !== 'number' || typeof exp !== 'number') {
      throw new LogoutTokenError('The logout token did not verify.');
    }
    // jwtVerify accepts it until the earlier of exp and iat + maxTokenAge, plus the tolerance;
    // its jti is kept one tolerance longer, for instances whose clocks run behind this one.
    const acceptedUntilMs =
      (Math.min(exp, iat + maxTokenAgeSeconds) + 2 * clockToleranceSeconds) * 1000;
    return {
      subject,
      jti,
      signedInBy: (iat + clockToleranceSeconds) * 1000,
      rememberForMs: Math.max(1000, Math.ceil(acceptedUntilMs - Date.now())),
    };
  };
}
