// Builds the Express app from its dependencies. No listening, no environment, no I/O: start.ts
// builds the dependencies, server.ts listens, and the tests go through the same start.ts.
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config.ts';
import { providerOrigin } from './config/read-provider.ts';
import { backchannelLogout } from './flow/backchannel-logout.ts';
import { createTokenRefresher } from './flow/call-protected-api.ts';
import { finishSignIn } from './flow/finish-sign-in.ts';
import { signOut } from './flow/sign-out.ts';
import { anonymousSessionTtlMs, startSignIn } from './flow/start-sign-in.ts';
import { verifyCsrf } from './http/csrf.ts';
import { notFound, renderErrors } from './http/error-pages.ts';
import { pageLocals } from './http/page-locals.ts';
import { logRequests } from './http/request-logger.ts';
import { refuseTargetsWithoutPath } from './http/request-target.ts';
import { noReferrer, noStore, securityHeaders } from './http/security.ts';
import { signInLimits } from './http/sign-in-limits.ts';
import { useEjsViews } from './http/view-engine.ts';
import type { OidcClient } from './oidc/oidc-client.ts';
import { createFlowHistory } from './recorder/flow-history.ts';
import { recordFlow } from './recorder/flow-recorder.ts';
import { healthRoutes } from './routes/health.ts';
import { pageRoutes } from './routes/pages.ts';
import type { SessionBackend } from './session/session-backend.ts';
import {
  enforceSessionLifetime,
  holdAnonymousExpiry,
  loadTokenRecord,
  reauthenticateOnExpiredLogin,
} from './session/session-guards.ts';
import { updateBeforeSave } from './session/session-lifecycle.ts';
import { createSessionMiddleware } from './session/session-middleware.ts';

export interface AppDependencies {
  config: AppConfig;
  oidc: OidcClient;
  backend: SessionBackend;
  logger: Logger;
  /** Epoch milliseconds; tests pass a controllable clock. */
  now?: () => number;
}

const root = path.join(import.meta.dirname, '..');
const signOutPath = '/logout';
// Where the files of public/ are served (views/partials/header.ejs links them there).
const assetsPath = '/assets';
// The redirect URI's path: config.redirectUri is APP_BASE_URL + this.
const callbackPath = '/callback';

/** The app, ready to be passed to `http.createServer` or `app.listen`. */
export function createApp({
  config,
  oidc,
  backend,
  logger,
  now = Date.now,
}: AppDependencies): Express {
  const app = express();
  const appOrigin = config.baseUrl.origin;
  const { tokens } = backend;
  const refresher = createTokenRefresher({
    tokens,
    lock: backend.lock,
    refresh: oidc.refreshTokens,
    now,
    skewMs: config.refreshSkewMs,
  });
  // Token records outlive the session's maximum age by one idle period, so the refresh token can
  // still be revoked when the sign-in ends: by enforceSessionLifetime, or a sign-out form on screen.
  const tokenTtlMs = config.session.maxAgeMs + config.session.idleTimeoutMs;
  // API calls with a good token, and sign-ins being started, are recorded in memory: /resource and
  // an anonymous /login never write the session for /flow.
  const history = createFlowHistory();
  const logoutForm = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 });
  const limits = signInLimits({
    ...config.signInLimits,
    anonymousSessionTtlMs,
    counters: backend.limitCounters,
  });

  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // Pages are never stored (noStore), so an ETag would never be revalidated: not hashing each page.
  // Static files keep theirs (serve-static sets its own).
  app.set('etag', false);
  useEjsViews(app, path.join(root, 'views'), config.isProduction);
  app.locals.appName = 'OAuth Express Reference';
  app.locals.isDevProvider = config.isDevProvider;
  app.locals.providerOrigin = providerOrigin(config.provider);

  // Before any session: probes, the provider's server-to-server call, static files.
  app.use(logRequests(logger));
  app.use(
    securityHeaders({
      isHttps: config.session.isSecureCookie,
      formActionOrigins: () => oidc.providerOrigins(),
    }),
  );
  app.use(refuseTargetsWithoutPath());
  app.use(healthRoutes({ oidc, backend }));
  app.use(backchannelLogout({ oidc, backend, logger }));
  // Under their own path, so that no other request costs a file-system lookup. No directory
  // redirects: serve-static's would echo the raw path, and browsers read
  // `Location: /\evil.example/../` as a link to evil.example (`\` counts as `/`).
  app.use(
    assetsPath,
    express.static(path.join(root, 'public'), { index: false, redirect: false, maxAge: '1h' }),
  );
  // The browser's session, and what every page of a signed-in session goes through.
  app.use(createSessionMiddleware(config, backend.sessions, now));
  app.use(holdAnonymousExpiry());
  app.use(noStore());
  app.use(
    recordFlow({
      callbackPath,
      now,
      history,
      beforeSessionSave: updateBeforeSave,
      onError: (error) => logger.warn({ err: error }, 'flow not saved'),
    }),
  );
  app.use(
    enforceSessionLifetime({
      tokens,
      oidc,
      logger,
      maxAgeMs: config.session.maxAgeMs,
      now,
      signOutPath,
    }),
  );
  app.use(loadTokenRecord(tokens));
  app.use(pageLocals());

  // The four moves of the flow (src/flow), and the pages around them.
  // The sign-in limits read the session: a callback answering a sign-in is never refused.
  app.get('/login', limits.login, startSignIn({ oidc, now }));
  app.get(
    callbackPath,
    noReferrer(),
    limits.callback,
    finishSignIn({
      oidc,
      tokens,
      rememberOnce: backend.rememberOnce,
      logger,
      appOrigin,
      now,
      tokenTtlMs,
    }),
  );
  app.use(
    pageRoutes({
      oidc,
      refresher,
      now,
      resourceUrl: config.resourceUrl.href,
      requestedScopes: config.scopes,
      history,
      clientId: config.client.id,
      refreshSkewMs: config.refreshSkewMs,
    }),
  );
  app.post(
    signOutPath,
    logoutForm,
    verifyCsrf(appOrigin, logger),
    signOut({ oidc, tokens, logger, now }),
  );

  const errorPages = { isProduction: config.isProduction, callbackPath };
  app.use(notFound(errorPages));
  app.use(reauthenticateOnExpiredLogin(tokens, logger));
  app.use(renderErrors(logger, errorPages));
  return app;
}
