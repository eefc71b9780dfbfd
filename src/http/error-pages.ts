// The last two handlers: a 404 page, then every error mapped to its status and page. The page shows
// a safe message and the request id; the details go to the log only.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, clientErrorStatus, type PageAction } from '../errors.ts';

/** Renders the 404 page for anything no route answered. */
export function notFound(): RequestHandler {
  return (_req, res) => {
    res.status(404).render('error', {
      title: 'Page not found',
      status: 404,
      message: 'There is no page at this address.',
    });
  };
}

/** Maps errors to pages: AppErrors with their status, body-parser errors as 4xx, anything else 500. */
export function renderErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
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
    // Too late for a page (e.g. the session could not be saved after the response): logged above,
    // and Express's own handler ends the response (or closes the socket) instead of leaving it open.
    if (res.headersSent) return next(error);
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
