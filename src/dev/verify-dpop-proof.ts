// How the demo API holds a DPoP-bound access token to its key (RFC 9449 §7.1): only with the DPoP
// scheme and a proof (§4.3): a JWT signed by the key the token is bound to, for this very request,
// recent, carrying the API's nonce, and never seen before.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors, type JWTPayload, jwtVerify } from 'jose';

/** A proof the API does not accept; `isNonceWanted` when only the API's current nonce is missing. */
class InvalidProofError extends Error {
  readonly description: string;
  readonly isNonceWanted: boolean;
  constructor(description: string, isNonceWanted = false, options?: ErrorOptions) {
    super(description, options);
    this.name = 'InvalidProofError';
    this.description = description;
    this.isNonceWanted = isNonceWanted;
  }
}

/** A request's credentials, its access token already verified. */
export interface PresentedToken {
  isDpopScheme: boolean;
  accessToken: string;
  claims: JWTPayload;
  /** The DPoP header, if any. */
  proof: string | undefined;
  method: string;
  /** The URL the request was sent to, without query or fragment. */
  url: string;
}

/** Why a token is refused, as the WWW-Authenticate DPoP challenge says it; `nonce` for DPoP-Nonce. */
export interface BindingRefusal {
  error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';
  description: string;
  nonce?: string;
}

/** Undefined when the token may be used as presented; otherwise why not. */
export type DpopBindingCheck = (presented: PresentedToken) => Promise<BindingRefusal | undefined>;

/** The algorithms the dev provider accepts for proofs (its dPoPSigningAlgValues). */
export const proofAlgorithms = ['ES256', 'EdDSA', 'Ed25519'];
/** How long a nonce is good for; the previous one is accepted too. */
const nonceLifetimeMs = 60_000;
/** How far a proof's iat may be from now (RFC 9449 §11.1: "a reasonable window"). */
const iatWindowSeconds = 60;

export function createDpopBindingCheck(now: () => number = Date.now): DpopBindingCheck {
  // Nonces derived from a secret and the time window: no state to keep, unguessable (§9).
  const secret = randomBytes(32);
  const nonceOf = (window: number) =>
    createHmac('sha256', secret).update(String(window)).digest('base64url');
  const windowNow = () => Math.floor(now() / nonceLifetimeMs);
  // jti → when it can be forgotten: a proof outside the iat window is refused anyway (§11.1).
  const usedProofs = new Map<string, number>();

  async function readProof(proof: string): Promise<{ payload: JWTPayload; jwk: object }> {
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: proofAlgorithms,
      });
      if (!protectedHeader.jwk) throw new InvalidProofError('The DPoP proof names no key');
      return { payload, jwk: protectedHeader.jwk };
    } catch (error) {
      if (error instanceof InvalidProofError || !(error instanceof errors.JOSEError)) throw error;
      throw new InvalidProofError('The DPoP proof is not a valid signed proof', false, {
        cause: error,
      });
    }
  }

  async function verifyProof(
    { proof, method, url, accessToken }: PresentedToken,
    boundKey: string,
  ): Promise<void> {
    if (!proof) throw new InvalidProofError('A DPoP proof is required with this access token');
    const { payload, jwk } = await readProof(proof);
    const seconds = Math.floor(now() / 1000);
    if (payload.htm !== method) throw new InvalidProofError('The DPoP proof is for another method');
    if (typeof payload.htu !== 'string' || withoutQuery(payload.htu) !== url)
      throw new InvalidProofError('The DPoP proof is for another URL');
    if (typeof payload.iat !== 'number' || Math.abs(seconds - payload.iat) > iatWindowSeconds)
      throw new InvalidProofError('The DPoP proof is not recent');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0)
      throw new InvalidProofError('The DPoP proof has no jti');
    // §4.3 step 11: the proof goes with this access token, by its hash.
    if (payload.ath !== createHash('sha256').update(accessToken).digest('base64url'))
      throw new InvalidProofError('The DPoP proof is for another access token');
    // §7.1: signed by the very key the token is bound to.
    if ((await calculateJwkThumbprint(jwk)) !== boundKey)
      throw new InvalidProofError(
        'The DPoP proof is signed by another key than the token is bound to',
      );
    const window = windowNow();
    if (payload.nonce !== nonceOf(window) && payload.nonce !== nonceOf(window - 1))
      throw new InvalidProofError('The DPoP proof must carry the nonce this API gave', true);
    // §11.1: each proof once. Checked last, so a proof refused for another reason is not kept.
    for (const [jti, forgetAt] of usedProofs) if (forgetAt <= seconds) usedProofs.delete(jti);
    if (usedProofs.has(payload.jti)) throw new InvalidProofError('The DPoP proof was used before');
    usedProofs.set(payload.jti, payload.iat + iatWindowSeconds + 1);
  }

  return async (presented) => {
    const boundKey = boundKeyOf(presented.claims);
    if (boundKey === undefined) {
      return presented.isDpopScheme
        ? { error: 'invalid_token', description: 'The access token is not DPoP-bound' }
        : undefined;
    }
    // Sent as a Bearer token, as someone who copied it would: refused.
    if (!presented.isDpopScheme) {
      return {
        error: 'invalid_token',
        description: 'The access token is DPoP-bound: send it with the DPoP scheme and a proof',
      };
    }
    try {
      await verifyProof(presented, boundKey);
      return undefined;
    } catch (error) {
      if (!(error instanceof InvalidProofError)) throw error;
      // §9: the nonce to use comes with the refusal that asks for it.
      return error.isNonceWanted
        ? { error: 'use_dpop_nonce', description: error.description, nonce: nonceOf(windowNow()) }
        : { error: 'invalid_dpop_proof', description: error.description };
    }
  };
}

/** `cnf.jkt` (RFC 9449 §6.1): the thumbprint of the key a token is bound to, if it is. */
function boundKeyOf(claims: JWTPayload): string | undefined {
  const { cnf } = claims;
  if (typeof cnf !== 'object' || cnf === null || !('jkt' in cnf)) return undefined;
  return typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

function withoutQuery(url: string): string | undefined {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : undefined;
}
