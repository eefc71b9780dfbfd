// GET /login starts a sign-in at the provider; GET /callback finishes it. Several logins may be
// pending at once (one per tab), each keyed by its state, capped in number and expiring.
import { Router } from 'express';
import { LoginStateError } from '../errors.ts';
import { noReferrer } from '../http/security.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { PendingLogin } from '../session/session-data.ts';
import type { TokenStore } from '../session/token-store.ts';
import { safeReturnTo } from './safe-return-to.ts';
import { saveSession, signIn } from './session-lifecycle.ts';

export interface LoginRoutesOptions {
  oidc: OidcClient;
  tokens: TokenStore;
  appOrigin: string;
  now: () => number;
  /** How long a token record lives: past the session's maximum age, so a late sign-out can revoke. */
  tokenTtlMs: number;
}

const pendingLoginTtlMs = 10 * 60 * 1000;
const maxPendingLogins = 5;
const maxParameterLength = 4096;

/** The router for /login and /callback. */
export function loginRoutes(options: LoginRoutesOptions): Router {
  const router = Router();

  router.get('/login', async (req, res) => {
    const now = options.now();
    const returnTo = safeReturnTo(req.query.returnTo);
    const { url, state, pending } = await options.oidc.startLogin({
      returnTo,
      expiresAt: now + pendingLoginTtlMs,
    });
    req.session.pendingLogins = keepRecent({ ...req.session.pendingLogins, [state]: pending }, now);
    await saveSession(req);
    res.redirect(url.href);
  });

  router.get('/callback', noReferrer(), async (req, res) => {
    const now = options.now();
    const params = new URL(req.originalUrl, options.appOrigin).searchParams;
    const state = singleParameter(params, 'state');
    const pending = takePendingLogin(req.session, state, now);
    for (const name of new Set(params.keys())) singleParameter(params, name);
    const { tokens, identity, steps } = await options.oidc.completeLogin({
      params,
      state,
      pending,
      now,
    });
    await signIn(req, options.tokens, {
      identity,
      tokens,
      steps,
      now,
      ttlMs: options.tokenTtlMs,
    });
    res.redirect(pending.returnTo);
  });

  return router;
}

function keepRecent(
  logins: Record<string, PendingLogin>,
  now: number,
): Record<string, PendingLogin> {
  const live = Object.entries(logins).filter(([, login]) => login.expiresAt > now);
  live.sort(([, a], [, b]) => b.expiresAt - a.expiresAt);
  return Object.fromEntries(live.slice(0, maxPendingLogins));
}

/** Exactly one value of a parameter, of sane length; a repeated one could confuse the checks. */
function singleParameter(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  const value = values[0];
  if (
    values.length !== 1 ||
    value === undefined ||
    value.length === 0 ||
    value.length > maxParameterLength
  ) {
    throw new LoginStateError('callback_malformed', 'The sign-in response was malformed.');
  }
  return value;
}

/** Removes the pending login this callback answers (each is used once) and returns it. */
function takePendingLogin(
  session: { pendingLogins?: Record<string, PendingLogin> },
  state: string,
  now: number,
): PendingLogin {
  const pending = Object.hasOwn(session.pendingLogins ?? {}, state)
    ? session.pendingLogins?.[state]
    : undefined;
  if (!pending) {
    throw new LoginStateError(
      'unknown_state',
      'This sign-in was not started in this browser, or it was already completed.',
    );
  }
  const { [state]: _used, ...others } = session.pendingLogins ?? {};
  session.pendingLogins = others;
  if (pending.expiresAt <= now) {
    throw new LoginStateError(
      'login_expired',
      'This sign-in took too long and has expired. Please start again.',
    );
  }
  return pending;
}
