// Which of the scopes the app asked for the access token carries, and where the others went: the
// consent page lists them all, the token response's `scope` (RFC 6749 §5.1) often only the API's.

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

// OIDC Core §5.4: these scopes ask for claims about the user, which arrive in the ID token and
// from UserInfo; `openid` itself asks for the ID token (§3.1.2.1).
const identityScopes = new Set(['openid', 'profile', 'email', 'address', 'phone']);

/** Explains `granted` (the token response's scope) against `requested` (the app's OIDC_SCOPES). */
export function explainScopes(
  requested: string,
  granted: string | undefined,
  issued: IssuedTokens,
): ScopeExplanation {
  const accessToken = granted === undefined ? undefined : words(granted);
  const groups = new Map<string, string[]>();
  for (const scope of words(requested)) {
    if (accessToken?.includes(scope)) continue;
    const wentTo = whereItWent(scope, issued, accessToken !== undefined);
    groups.set(wentTo, [...(groups.get(wentTo) ?? []), scope]);
  }
  return {
    accessToken,
    elsewhere: [...groups].map(([wentTo, scopes]) => ({ scopes, wentTo })),
  };
}

function whereItWent(scope: string, issued: IssuedTokens, isReported: boolean): string {
  if (identityScopes.has(scope)) {
    return issued.hasIdToken ? 'the ID token and UserInfo' : 'no ID token was issued';
  }
  // OIDC Core §11: offline_access asks for a refresh token, not for access to anything.
  if (scope === 'offline_access') {
    return issued.hasRefreshToken ? 'the refresh token' : 'no refresh token was issued';
  }
  // An omitted scope means "as requested" (RFC 6749 §5.1), which the app cannot check.
  return isReported ? 'not granted' : 'not reported by the provider';
}

function words(scope: string): string[] {
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}
