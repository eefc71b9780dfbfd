// Faults injected into the real in-process oidc-provider (a Koa app): one path answers wrongly
// while a switch is on, over real HTTP, and every other request goes through untouched.
import { once } from 'node:events';
import type { Middleware } from 'koa';

/** A provider middleware that answers `path` with `answer` while `isOn()`. */
export function fault(path: string, isOn: () => boolean, answer: Middleware): Middleware {
  return async (ctx, next) => (isOn() && ctx.path === path ? answer(ctx, next) : next());
}

/** The switch of a fault that is on for the whole test: `fault('/token', always, hang)`. */
export const always = (): boolean => true;

/** An answer with `status` and `body`: JSON for an object (an OAuth error), text for a string. */
export function answerWith(status: number, body: string | object): Middleware {
  return async (ctx) => {
    ctx.status = status;
    ctx.body = body;
  };
}

/** A 200 whose JSON breaks off half-way, as a proxy that cut the answer short would send it. */
export const truncatedJson: Middleware = async (ctx) => {
  ctx.status = 200;
  ctx.type = 'json';
  ctx.body = '{"access_token": ';
};

/** The connection closed without an answer, as when the provider goes down mid-request. */
export const dropConnection: Middleware = async (ctx) => {
  ctx.req.socket.destroy();
};

/** A gateway's HTML error page instead of the JSON the protocol promises. */
export const html502: Middleware = async (ctx) => {
  ctx.status = 502;
  ctx.type = 'html';
  ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
};

/**
 * Never answers: ends only when the client gives up and closes the connection. A test that uses it
 * finishes only if the app's own timeout fires; no timer of the test decides the outcome.
 */
export const hang: Middleware = async (ctx) => {
  await once(ctx.res, 'close');
};

/**
 * Changes the provider's discovery document (an endpoint, the issuer, the methods it lists) as a
 * misconfigured provider would serve it; the app must discover again (restart) to see it.
 */
export function rewriteMetadata(change: (metadata: Record<string, unknown>) => void): Middleware {
  return async (ctx, next) => {
    await next();
    if (
      ctx.path === '/.well-known/openid-configuration' &&
      ctx.body &&
      typeof ctx.body === 'object'
    )
      change(ctx.body as Record<string, unknown>);
  };
}
