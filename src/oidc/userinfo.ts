// The UserInfo endpoint (OpenID Connect Core §5.3), asked once at sign-in for the profile claims a
// thin ID token left out (providers may put them only there when an access token is issued, §5.4).
import * as client from 'openid-client';

/** Why UserInfo did not complete the profile; the sign-in went on without it. */
export interface UserInfoFailure {
  code: 'userinfo_failed' | 'userinfo_subject_mismatch';
  message: string;
  cause: unknown;
}

/** Claims about the user; `sub` is always the ID token's. */
export type UserClaims = Record<string, unknown> & { sub: string };

/** The profile claims the app shows: when the ID token lacks one, UserInfo is asked for it. */
const shownClaims = ['name', 'email'] as const;

/**
 * The ID token's claims, completed from UserInfo when it lacks a shown claim and the provider has
 * a UserInfo endpoint. The ID token wins on conflict: it is signed and was checked; the UserInfo
 * answer only fills its gaps. A failed call leaves the claims as they were, and says why: the
 * sign-in goes on with what the ID token said.
 */
export async function completeWithUserInfo(
  configuration: client.Configuration,
  idClaims: client.IDToken,
  accessToken: string,
): Promise<{ claims: UserClaims; failure?: UserInfoFailure }> {
  const isMissingAClaim = shownClaims.some((name) => typeof idClaims[name] !== 'string');
  if (!isMissingAClaim || !configuration.serverMetadata().userinfo_endpoint) {
    return { claims: idClaims };
  }
  try {
    // §5.3.4: the answer's sub must be the ID token's, or none of it may be used (it could be
    // about another user: a substituted token). openid-client refuses it otherwise.
    const userInfo = await client.fetchUserInfo(configuration, accessToken, idClaims.sub);
    // Only the profile claims, and only where the ID token has none: never its sid, never a claim
    // that decides whose session this is.
    const filled = shownClaims.filter(
      (name) => typeof idClaims[name] !== 'string' && typeof userInfo[name] === 'string',
    );
    return {
      claims: { ...idClaims, ...Object.fromEntries(filled.map((name) => [name, userInfo[name]])) },
    };
  } catch (error) {
    return { claims: idClaims, failure: describeFailure(error) };
  }
}

function describeFailure(error: unknown): UserInfoFailure {
  return comparedAttribute(error) === 'sub'
    ? {
        code: 'userinfo_subject_mismatch',
        message:
          'UserInfo answered for another subject than the ID token: its claims were ignored, and the profile shows only what the ID token carries',
        cause: error,
      }
    : {
        code: 'userinfo_failed',
        message: `UserInfo could not be read${statusOf(error)}: the profile shows only what the ID token carries (the sign-in went on)`,
        cause: error,
      };
}

/** The claim openid-client found to differ from what was expected (its errors keep it in a cause). */
function comparedAttribute(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 3 && current !== null && typeof current === 'object'; depth++) {
    const { attribute, cause } = current as { attribute?: unknown; cause?: unknown };
    if (attribute !== undefined) return attribute;
    current = cause;
  }
  return undefined;
}

/** The HTTP status of a refused answer, which openid-client keeps as the error's `status` or `cause`. */
function statusOf(error: unknown): string {
  const { status, cause } = (error ?? {}) as { status?: unknown; cause?: unknown };
  const code = typeof status === 'number' ? status : cause instanceof Response ? cause.status : 0;
  return code ? ` (HTTP ${code})` : '';
}
