// Where each scope the app asked for went: into the access token (the API checks it), or, for the
// scopes OpenID Connect defines, into the ID token and UserInfo, or the refresh token
// (offline_access). The consent page lists them all; the token response's `scope` (RFC 6749 §5.1)
// often only the API's. /flow shows one line per scope (`explainEachScope`), the home page the
// same answer grouped (`explainScopes`).
import { openIdConnectScopes } from '../protocol.ts';

/** Where a scope ended up. */
export type ScopeDestination = 'access-token' | 'id-token' | 'refresh-token' | 'not-granted';

export interface ScopeLine {
  scope: string;
  goesTo: ScopeDestination;
  /** One sentence for a person. */
  text: string;
}

/**
 * One line per requested scope, against those the access token carries (the token response's
 * `scope`; absent means "as requested", RFC 6749 §5.1). Scopes granted without being asked for
 * come last.
 */
export function explainEachScope(requested: string, granted: string | undefined): ScopeLine[] {
  const asked = words(requested);
  const carried = new Set(words(granted ?? requested));
  const explained = asked.map((scope) => explainScope(scope, carried.has(scope)));
  for (const scope of carried) {
    if (asked.includes(scope)) continue;
    explained.push({
      scope,
      goesTo: 'access-token',
      text: 'In the access token, though not asked for: the provider added it.',
    });
  }
  return explained;
}

function explainScope(scope: string, isCarried: boolean): ScopeLine {
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

export interface ScopeExplanation {
  /** The access token's scopes as the provider reported them; undefined when it did not say. */
  accessToken: string[] | undefined;
  /** The requested scopes the access token does not carry, grouped by where they went. */
  elsewhere: Array<{ scopes: string[]; wentTo: string }>;
}

export interface IssuedTokens {
  hasIdToken: boolean;
  hasRefreshToken: boolean;
}

/** The same answer grouped for the home page's scope row, worded by what was actually issued. */
export function explainScopes(
  requested: string,
  granted: string | undefined,
  issued: IssuedTokens,
): ScopeExplanation {
  const accessToken = granted === undefined ? undefined : words(granted);
  const groups = new Map<string, string[]>();
  for (const line of explainEachScope(requested, granted)) {
    if (accessToken?.includes(line.scope)) continue;
    const wentTo = wordedDestination(line, issued, accessToken !== undefined);
    groups.set(wentTo, [...(groups.get(wentTo) ?? []), line.scope]);
  }
  return {
    accessToken,
    elsewhere: [...groups].map(([wentTo, scopes]) => ({ scopes, wentTo })),
  };
}

function wordedDestination(line: ScopeLine, issued: IssuedTokens, isReported: boolean): string {
  switch (line.goesTo) {
    case 'id-token':
      return issued.hasIdToken ? 'the ID token and UserInfo' : 'no ID token was issued';
    case 'refresh-token':
      return issued.hasRefreshToken ? 'the refresh token' : 'no refresh token was issued';
    default:
      // An omitted scope means "as requested" (RFC 6749 §5.1), which the app cannot check.
      return isReported ? 'not granted' : 'not reported by the provider';
  }
}

function words(scope: string): string[] {
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}
