// Liveness and readiness for orchestrators: /healthz answers while the process runs; /readyz only
// when the provider's metadata is loaded and the session store answers.
import { Router } from 'express';
import { noStore } from '../http/security.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SessionBackend } from '../session/session-backend.ts';

/** The router for /healthz and /readyz. */
export function healthRoutes(options: {
  oidc: Pick<OidcClient, 'discover'>;
  backend: Pick<SessionBackend, 'isHealthy'>;
}): Router {
  const router = Router();

  // A cached answer would report a state that no longer holds (to a probe behind a proxy cache).
  router.get('/healthz', noStore(), (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', noStore(), async (_req, res) => {
    // A provider that was down is discovered again here, so readiness recovers by itself.
    const [isProviderReady, isStoreReady] = await Promise.all([
      options.oidc.discover().then(
        () => true,
        () => false,
      ),
      options.backend.isHealthy(),
    ]);
    const isReady = isProviderReady && isStoreReady;
    res.status(isReady ? 200 : 503).json({
      status: isReady ? 'ready' : 'not ready',
      checks: {
        provider: isProviderReady ? 'ok' : 'unavailable',
        store: isStoreReady ? 'ok' : 'unavailable',
      },
    });
  });

  return router;
}
