// The last two handlers: a 404 page, then every error mapped to its status and page. The page shows
// a safe message and the request id; the details go to the log only. In development it also shows
// the stable code and what the failed check protects against, for someone learning the flow.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  AppError,
  clientErrorStatus,
  type ErrorCode,
  type PageAction,
  type SignInRefusalCode,
} from '../errors.ts';
import { explainError } from './explain-error.ts';

export interface ErrorPageOptions {
  /** Production pages keep to the safe message: no code, no explanation. */
  isProduction: boolean;
  /** The redirect URI's path: its code is spent, so a retry there starts a new sign-in. */
  callbackPath: string;
}

/** Renders the 404 page for anything no route answered. */
export function notFound(options: Pick<ErrorPageOptions, 'isProduction'>): RequestHandler {
  return (_req, res) => {
    res.status(404).render('error', {
      title: 'Page not found',
      status: 404,
      message: 'There is no page at this address.',
      details: options.isProduction ? undefined : detailsOf('not_found'),
    });
  };
}

/** Maps errors to pages: AppErrors with their status, body-parser errors as 4xx, anything else 500. */
export function renderErrors(logger: Logger, options: ErrorPageOptions): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const page = toPage(error);
    // A server-side failure may pass: offer the same request again, unless the error names its own way on.
    page.action ??= page.status >= 500 ? retryAction(req, options.callbackPath) : undefined;
    const level = page.status >= 500 ? 'error' : 'warn';
    logger[level](
      {
        reqId: res.locals.requestId,
        path: req.originalUrl.split('?')[0],
        code: page.code,
        err: error,
      },
      page.title,
    );
    // Too late for a page (e.g. the session could not be saved after the response): logged above,
    // and Express's own handler ends the response (or closes the socket) instead of leaving it open.
    if (res.headersSent) return next(error);
    res.setHeader('Cache-Control', 'no-store');
    const details = options.isProduction ? undefined : detailsOf(page.code);
    res
      .status(page.status)
      .render('error', { ...page, details }, (renderError: Error | null, html?: string) => {
        if (renderError) {
          logger.error(
            { reqId: res.locals.requestId, err: renderError },
            'error page failed to render',
          );
          res.type('text/plain').send(`${page.title}. Reference: ${res.locals.requestId}`);
          return;
        }
        res.send(html);
      });
  };
}

interface ErrorPage {
  status: number;
  code: ErrorCode | SignInRefusalCode;
  title: string;
  message: string;
  action: PageAction | undefined;
}

function toPage(error: unknown): ErrorPage {
  if (error instanceof AppError) {
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      message: error.publicMessage,
      action: error.action,
    };
  }
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    return {
      status,
      code: 'bad_request',
      title: 'Request refused',
      message: 'This request could not be understood.',
      action: undefined,
    };
  }
  return {
    status: 500,
    code: 'internal',
    title: 'Something went wrong',
    message: 'An unexpected error happened on our side. Please try again.',
    action: undefined,
  };
}

/** What the development page adds: the stable code and what its check protects against. */
function detailsOf(code: ErrorCode | SignInRefusalCode): { code: string; explanation?: string } {
  const explanation = explainError(code);
  return { code, ...(explanation && { explanation }) };
}

/**
 * "Try again" after a 5xx: the same GET, or a new sign-in for the callback. None after a POST (its
 * form is gone; the page's link home stays).
 */
function retryAction(req: Request, callbackPath: string): PageAction | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.path === callbackPath) return { href: '/login', label: 'Sign in again' };
  // Only a link that stays on this site: a browser reads a request-target like `//host/…` or
  // `/\host/…` as a link to another one. Resolved as the browser would, against a stand-in origin.
  const base = 'http://this-app.invalid';
  const target = req.originalUrl;
  return target.startsWith('/') && new URL(target, base).origin === base
    ? { href: target, label: 'Try again' }
    : undefined;
}
