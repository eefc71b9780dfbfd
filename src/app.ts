// Builds the Express app from its dependencies. No listening, no environment, no I/O: server.ts
// starts it, and the tests build it the same way.
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { backchannelLogoutRoute } from './auth/backchannel-logout-route.ts';
import { loginRoutes } from './auth/login-routes.ts';
import { logoutRoute } from './auth/logout-route.ts';
import {
  enforceSessionLifetime,
  loadTokenRecord,
  reauthenticateOnExpiredLogin,
} from './auth/require-login.ts';
import type { AppConfig } from './config/load-config.ts';
import { providerOrigin } from './config/read-provider.ts';
import { notFound, renderErrors } from './http/error-pages.ts';
import { pageLocals } from './http/page-locals.ts';
import { limitSignInAttempts } from './http/rate-limit.ts';
import { logRequests } from './http/request-logger.ts';
import { noStore, securityHeaders } from './http/security.ts';
import type { OidcClient } from './oidc/oidc-client.ts';
import { healthRoutes } from './routes/health.ts';
import { pageRoutes } from './routes/pages.ts';
import type { SessionBackend } from './session/session-backend.ts';
import { createSessionMiddleware } from './session/session-middleware.ts';
import { createTokenRefresher } from './session/token-refresher.ts';

export interface AppDependencies {
  config: AppConfig;
  oidc: OidcClient;
  backend: SessionBackend;
  logger: Logger;
  /** Epoch milliseconds; tests pass a controllable clock. */
  now?: () => number;
}

const root = path.join(import.meta.dirname, '..');

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

  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(root, 'views'));
  app.locals.appName = 'OAuth Express Reference';
  app.locals.isDevProvider = config.isDevProvider;
  app.locals.providerOrigin = providerOrigin(config.provider);

  app.use(logRequests(logger));
  app.use(
    securityHeaders({
      isHttps: config.session.isSecureCookie,
      formActionOrigins: () => oidc.providerOrigins(),
    }),
  );
  app.use(healthRoutes({ oidc, backend }));
  app.use(backchannelLogoutRoute({ oidc, backend, logger }));
  app.use(express.static(path.join(root, 'public'), { index: false, maxAge: '1h' }));
  // Before the session: a refused attempt costs no store read or write.
  app.use(['/login', '/callback'], limitSignInAttempts(config.signInRateLimitPerMinute));

  app.use(createSessionMiddleware(config, backend.sessions));
  app.use(noStore());
  app.use(enforceSessionLifetime({ tokens, oidc, logger, maxAgeMs: config.session.maxAgeMs, now }));
  app.use(loadTokenRecord(tokens));
  app.use(pageLocals());
  // Token records outlive the session's maximum age by one idle period, so the refresh token can
  // still be revoked when the sign-in ends: by enforceSessionLifetime, or a sign-out form on screen.
  const tokenTtlMs = config.session.maxAgeMs + config.session.idleTimeoutMs;
  app.use(loginRoutes({ oidc, tokens, appOrigin, now, tokenTtlMs }));
  app.use(logoutRoute({ oidc, tokens, appOrigin, logger }));
  app.use(pageRoutes({ oidc, refresher, now, resourceUrl: config.resourceUrl?.href ?? '' }));

  app.use(notFound());
  app.use(reauthenticateOnExpiredLogin(tokens, logger));
  app.use(renderErrors(logger));
  return app;
}
