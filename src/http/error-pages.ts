// The last two handlers: a 404 page, then every error mapped to its status and page. The page shows
// a safe message and the request id; the details go to the log only.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';

/** Renders the 404 page for anything no route answered. */
export function notFound(): RequestHandler {
  return (_req, res) => {
    res.status(404).render('error', {
      title: 'Page not found',
      status: 404,
      message: 'There is no page at this address.',
      action: undefined,
    });
  };
}

/** Maps errors to pages: AppErrors with their status, body-parser errors as 4xx, anything else 500. */
export function renderErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const page = toPage(error);
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
    // Too late for a page (e.g. the session could not be saved after the response): logged above.
    if (res.headersSent) return;
    res.setHeader('Cache-Control', 'no-store');
    res.status(page.status).render('error', page, (renderError: Error | null, html?: string) => {
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
  code: string;
  title: string;
  message: string;
  action: { href: string; label: string } | undefined;
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
  // body-parser and friends mark client errors with a 4xx `status` (e.g. 413 entity too large).
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
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
