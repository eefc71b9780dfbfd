// Where each requested scope went: into the access token (the API checks it), or, for the scopes
// OpenID Connect defines, into the ID token and UserInfo, or the refresh token (offline_access).
import { openIdConnectScopes } from '../protocol.ts';

/** Where a scope ended up. */
export type ScopeDestination = 'access-token' | 'id-token' | 'refresh-token' | 'not-granted';

export interface ScopeExplanation {
  scope: string;
  goesTo: ScopeDestination;
  /** One sentence for a person. */
  text: string;
}

/**
 * Explains the requested scopes against those the access token carries (the token response's
 * `scope`; absent means "as requested", RFC 6749 §5.1). Scopes granted without being asked for
 * come last. Pure: the home page and /flow both use it.
 */
export function explainScopes(requested: string, granted: string | undefined): ScopeExplanation[] {
  const asked = requested.split(/\s+/).filter(Boolean);
  const carried = new Set((granted ?? requested).split(/\s+/).filter(Boolean));
  const explained = asked.map((scope) => explainScope(scope, carried.has(scope)));
  const extra = [...carried].filter((scope) => !asked.includes(scope));
  for (const scope of extra) {
    explained.push({
      scope,
      goesTo: 'access-token',
      text: 'In the access token, though not asked for: the provider added it.',
    });
  }
  return explained;
}

function explainScope(scope: string, isCarried: boolean): ScopeExplanation {
  if (scope === 'openid') {
    return {
      scope,
      goesTo: 'id-token',
      text: 'Makes this an OpenID Connect sign-in: the provider issues an ID token naming you (OIDC Core §3.1.2.1).',
    };
  }
  if (scope === 'offline_access') {
    return {
      scope,
      goesTo: 'refresh-token',
      text: 'Asks for a refresh token, for new access tokens while you are away (OIDC Core §11).',
    };
  }
  if (openIdConnectScopes.has(scope)) {
    return {
      scope,
      goesTo: 'id-token',
      text: 'Claims about you, for this app: in the ID token and at UserInfo, not an API permission (OIDC Core §5.4).',
    };
  }
  return isCarried
    ? {
        scope,
        goesTo: 'access-token',
        text: 'In the access token: the API checks it before it answers.',
      }
    : {
        scope,
        goesTo: 'not-granted',
        text: 'Not granted: the provider left it out of the access token (RFC 6749 §3.3).',
      };
}
