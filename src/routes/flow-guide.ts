// The words /flow puts on each kind of recorded step: a title, what happened, the function in
// src/ that does it and the spec that says how; and a short explanation of each request parameter.
import type { FlowStepKind } from '../protocol.ts';

export interface SpecLink {
  label: string;
  href: string;
}

export interface StepGuide {
  title: string;
  explanation: string;
  /** `path#function` of the code that performs the step (a unit test checks that it exists). */
  source: string;
  specs: SpecLink[];
}

const rfc = (number: number, section: string): SpecLink => ({
  label: `RFC ${number} §${section}`,
  href: `https://www.rfc-editor.org/rfc/rfc${number}#section-${section}`,
});
const oidc = (label: string, page: string, anchor: string): SpecLink => ({
  label,
  href: `https://openid.net/specs/${page}.html#${anchor}`,
});
const core = (section: string, anchor: string) =>
  oidc(`OIDC Core §${section}`, 'openid-connect-core-1_0', anchor);

export const stepGuides: Record<FlowStepKind, StepGuide> = {
  discovery: {
    title: 'Discovery: the provider’s metadata',
    explanation:
      'Once per process, for every user: the app read the provider’s metadata document to learn its endpoints and what it supports.',
    source: 'src/oidc/configuration-loader.ts#createConfigurationLoader',
    specs: [oidc('OIDC Discovery §4', 'openid-connect-discovery-1_0', 'ProviderConfig')],
  },
  'pushed-authorization-request': {
    title: 'Pushed authorization request',
    explanation:
      'The server sent the authorization parameters (PKCE challenge, state, nonce, redirect URI, scopes) straight to the provider, authenticated as this client, and got back a short-lived request_uri that stands for them.',
    source: 'src/oidc/login.ts#createAuthorizationRequest',
    specs: [rfc(9126, '2')],
  },
  'authorization-request': {
    title: 'Authorization request',
    explanation:
      'The app answered your click with a 302 that sent the browser to the provider, with a PKCE challenge (S256), a state against cross-site request forgery and, with OpenID Connect, a nonce against ID token replay.',
    source: 'src/flow/start-sign-in.ts#startSignIn',
    specs: [rfc(6749, '4.1.1'), rfc(7636, '4.3'), core('3.1.2.1', 'AuthRequest')],
  },
  'authorization-response': {
    title: 'Callback: the authorization response',
    explanation:
      'The provider sent the browser back with a one-time code, the state and its issuer. The state must name a sign-in this browser started, and iss must be the discovered issuer.',
    source: 'src/flow/finish-sign-in.ts#finishSignIn',
    specs: [rfc(6749, '4.1.2'), rfc(9207, '2.4')],
  },
  'token-request': {
    title: 'Code exchange: authorization code + PKCE verifier',
    explanation:
      'The server (not the browser) traded the one-time code for tokens, authenticated as this client, proving with the PKCE verifier that it started this sign-in.',
    source: 'src/oidc/login.ts#exchangeCode',
    specs: [rfc(6749, '4.1.3'), rfc(7636, '4.5'), core('3.1.3', 'TokenEndpoint')],
  },
  jwks: {
    title: 'The provider’s key set (jwks_uri)',
    explanation:
      'Once per process, at the first token to verify: the server fetched the provider’s public keys, to verify the ID token’s signature (and later the logout tokens’). They are cached; they are fetched again when a token names a key not in the set (the provider rotated its keys) or the set is over 10 minutes old.',
    source: 'src/oidc/id-token-signature.ts#fetchProviderKeys',
    specs: [core('10.1.1', 'RotateSigKeys'), rfc(7517, '5')],
  },
  'token-refresh': {
    title: 'Token refresh',
    explanation:
      'The server used the refresh token for a new access token, without bothering you, once for this session even when several requests needed it.',
    source: 'src/oidc/tokens.ts#refreshTokens',
    specs: [rfc(6749, '6'), core('12', 'RefreshTokens')],
  },
  'token-revocation': {
    title: 'Sign-out: token revocation',
    explanation:
      'The server asked the provider to revoke the refresh token, so it can never be used again.',
    source: 'src/oidc/tokens.ts#revokeRefreshToken',
    specs: [rfc(7009, '2')],
  },
  'bearer-call': {
    title: 'API call with the access token',
    explanation: 'The server called the API with the access token as a Bearer credential.',
    source: 'src/flow/call-protected-api.ts#callProtectedApi',
    specs: [rfc(6750, '2.1')],
  },
  userinfo: {
    title: 'UserInfo request',
    explanation:
      'The ID token left out profile claims this app shows, so the server asked the provider’s UserInfo endpoint with the access token. The answer is used only if its subject is the ID token’s; where both name a claim, the ID token wins.',
    source: 'src/oidc/userinfo.ts#completeWithUserInfo',
    specs: [core('5.3', 'UserInfo')],
  },
  'user-endpoint': {
    title: 'User endpoint (plain OAuth 2.0)',
    explanation:
      'Plain OAuth 2.0 has no ID token: the server asked the provider’s user endpoint, with the new access token, who signed in.',
    source: 'src/oidc/login.ts#fetchIdentity',
    specs: [rfc(6750, '2.1')],
  },
  'dpop-call': {
    title: 'API call with the DPoP-bound access token',
    explanation:
      'The server called the API with the access token as a DPoP credential and a proof signed with this session’s key: the method, the URL, the time and the token’s hash. Without the key, a stolen token is refused.',
    source: 'src/flow/call-protected-api.ts#callProtectedApi',
    specs: [rfc(9449, '7')],
  },
  'end-session': {
    title: 'Sign-out at the provider',
    explanation:
      'The app answered the sign-out with a 303 that sent the browser to the provider’s end-session page, to end your session there too.',
    source: 'src/flow/sign-out.ts#signOut',
    specs: [oidc('RP-Initiated Logout §2', 'openid-connect-rpinitiated-1_0', 'RPLogout')],
  },
  'provider-call': {
    title: 'Call to the provider',
    explanation: 'A call from the server to the provider.',
    source: 'src/oidc/oidc-client.ts#createOidcClient',
    specs: [],
  },
};

/** One line on each request parameter a learner meets, shown in a <details> beside it. */
export const parameterHelp: Record<string, string> = {
  response_type:
    'code: the authorization-code flow. Tokens come later, server to server, never in the browser’s URL.',
  client_id: 'Which registered application is asking.',
  scope:
    'What is asked for: openid makes it OpenID Connect, profile and email ask for claims about you, offline_access for a refresh token, the rest are API permissions.',
  state:
    'A random value kept in your session: the callback must bring it back, so nobody can finish a sign-in they started in your browser (RFC 6749 §10.12).',
  nonce:
    'A random value the provider must copy into the ID token: the app compares it, so a replayed ID token is refused (OIDC Core §15.5.2).',
  code_challenge:
    'The SHA-256 of a secret verifier this server keeps: only the holder of the verifier can redeem the code (PKCE, RFC 7636).',
  code_challenge_method:
    'S256: the challenge is a hash of the verifier; plain would send the verifier itself.',
  prompt:
    'consent asks the provider to show its consent page; many providers issue a refresh token only then.',
  redirect_uri:
    'Where the provider sends the browser back; it must match a registered URI exactly, so a code cannot be sent elsewhere.',
  iss: 'Who answered: compared with the discovered issuer, against mix-up between providers (RFC 9207).',
  code: 'The one-time authorization code: short-lived, and useless without the PKCE verifier and the client’s credentials.',
  code_verifier:
    'The PKCE secret whose hash went out as code_challenge: proves this server started the sign-in.',
  grant_type: 'What is traded for tokens: an authorization code, or a refresh token.',
  refresh_token: 'The long-lived credential for new access tokens; it never leaves the server.',
  authorization:
    'How the caller proves who it is: Basic (client id and secret) at the provider, Bearer (the access token) at the API.',
  token: 'The token to revoke.',
  token_type_hint: 'What kind of token it is, to help the provider find it.',
  request_uri:
    'Stands for the pushed parameters (RFC 9126): they never travel through the browser.',
  id_token_hint: 'The ID token, as a hint of whom to sign out.',
  post_logout_redirect_uri:
    'Where the provider sends the browser after sign-out; it must be registered.',
};
