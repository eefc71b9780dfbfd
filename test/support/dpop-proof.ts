// DPoP proofs (RFC 9449 §4.2) made by a test, to call the demo API as a client holding the key would,
// or as one that gets a part wrong.
import { createHash, randomUUID } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';

export interface ProofClaims {
  htm: string;
  htu: string;
  /** The access token the proof goes with; its hash becomes `ath`. */
  accessToken: string;
  nonce?: string;
  jti?: string;
  /** Epoch seconds; now by default. */
  iat?: number;
}

/** A proof signed with the private JWK `key` (ES256), its public half in the header. */
export async function signProof(key: JWK, claims: ProofClaims): Promise<string> {
  const { d: _private, ...publicJwk } = key;
  const ath = createHash('sha256').update(claims.accessToken).digest('base64url');
  return new SignJWT({
    htm: claims.htm,
    htu: claims.htu,
    ath,
    jti: claims.jti ?? randomUUID(),
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    ...(claims.nonce !== undefined && { nonce: claims.nonce }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
    .sign(await importJWK(key, 'ES256'));
}
