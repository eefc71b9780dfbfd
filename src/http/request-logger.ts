// One log line per request with a request id, also shown on error pages and sent as X-Request-Id,
// and the client IP as Express sees it (through TRUST_PROXY). Query strings are not logged: the
// callback's carries the authorization code (RFC 9700 §4.2.4).
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** Assigns `res.locals.requestId` and logs the request when the response is finished. */
export function logRequests(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = randomUUID();
    const started = performance.now();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      // Probes run every few seconds: their answers are debug, even a 503 from /readyz.
      const isProbe = req.path === '/healthz' || req.path === '/readyz';
      const level = isProbe
        ? 'debug'
        : res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : 'info';
      // At LOG_LEVEL=warn a good answer logs nothing: its fields (the client address among them,
      // read through TRUST_PROXY) are not worked out for nothing.
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          reqId: requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ip: req.ip,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    next();
  };
}

/** The audit events the app logs, each with the user's `sub` (never a token). */
export type AuditEvent =
  | 'sign-in'
  | 'sign-out'
  | 'state-refused'
  | 'csrf-refused'
  | 'session-expired'
  | 'backchannel-logout';

/** Logs an audit event with its request id and the client IP (as Express sees it through TRUST_PROXY). */
export function logAuditEvent(
  logger: Logger,
  req: Request,
  res: Response,
  event: AuditEvent,
  fields: { sub: string | undefined; [name: string]: unknown },
): void {
  logger.info({ event, ...fields, reqId: res.locals.requestId, ip: req.ip }, event);
}
