// The /flow recorder. A middleware opens a recording for each request; the fetch openid-client uses
// (its customFetch hook) adds every exchange with the provider and the API to it, and the browser's
// own legs (back from the provider at the callback, sent to the provider) join them. When the
// response ends they are appended to the session, so the protocol functions know nothing of it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, RequestHandler } from 'express';
import type { FlowStep } from '../protocol.ts';
import {
  describeAuthorizationResponse,
  describeExchange,
  describeRedirect,
} from './describe-exchange.ts';

export type FetchLike = (url: string, options: RequestInit) => Promise<Response>;

interface Recording {
  steps: FlowStep[];
  now: () => number;
}

const recordings = new AsyncLocalStorage<Recording>();

/** How many steps a session keeps: the newest, so a long session does not grow without end. */
export const maxFlowSteps = 50;
/**
 * A session nobody has signed into keeps two steps per sign-in in progress (a start is one step,
 * two with PAR): what one sign-in start stores stays bounded, and so does what the sign-in
 * ceiling multiplies (docs/decisions/012-sign-in-limits.md).
 */
const stepsPerSignInInProgress = 2;

export interface RecordFlowOptions {
  /** The path of the redirect URI, where the browser comes back from the provider. */
  callbackPath: string;
  /** The app's clock. */
  now: () => number;
  /** Called when saving the recorded steps fails; the response goes out all the same. */
  onError: (error: unknown) => void;
}

/**
 * Records this request's exchanges into the session's `flow` (mount it after the session
 * middleware). Only a session with a sign-in in progress or done keeps them, and a request whose
 * only exchanges are API calls with a good token keeps nothing: the session is not written on
 * every page.
 */
export function recordFlow(options: RecordFlowOptions): RequestHandler {
  return (req, res, next) => {
    const recording: Recording = { steps: [], now: options.now };
    const authorizationResponse = answeredSignIn(req, options.callbackPath);
    if (authorizationResponse) {
      recording.steps.push(
        describeAuthorizationResponse(options.callbackPath, authorizationResponse, options.now()),
      );
    }

    const end = res.end;
    // Wraps res.end (as express-session does): the steps are saved before the response goes out,
    // so the page the browser goes to next already finds them.
    res.end = function endAfterSaving(this: typeof res, ...args: unknown[]) {
      const location = res.getHeader('location');
      const redirect = typeof location === 'string' && describeRedirect(location, options.now());
      if (redirect) recording.steps.push(redirect);
      const session = req.session;
      const isWorthSaving =
        recording.steps.some((step) => step.kind !== 'bearer-call' && step.kind !== 'dpop-call') &&
        (session?.user !== undefined || session?.pendingLogins !== undefined);
      if (!isWorthSaving) return end.apply(this, args as Parameters<typeof end>);
      const steps = [...(session.flow ?? []), ...recording.steps];
      const limit = session.user
        ? maxFlowSteps
        : stepsPerSignInInProgress * Object.keys(session.pendingLogins ?? {}).length;
      session.flow = steps.slice(Math.max(0, steps.length - limit));
      session.save((error) => {
        if (error) options.onError(error);
        end.apply(this, args as Parameters<typeof end>);
      });
      return this;
    } as typeof res.end;

    recordings.run(recording, next);
  };
}

/** Wraps a fetch so that the calls made while a request is recorded join its steps. */
export function recordingFetch(inner: FetchLike): FetchLike {
  return async (url, options) => {
    const recording = recordings.getStore();
    const response = await inner(url, options);
    if (recording) {
      recording.steps.push(
        await describeExchange(new URL(url), options, response, recording.now()),
      );
    }
    return response;
  };
}

/**
 * The query of a callback that answers a sign-in this browser started (its state names one of the
 * session's pending logins), read before the callback consumes it. Anything else is not recorded:
 * a forged query must not put words on the user's /flow page.
 */
function answeredSignIn(req: Request, callbackPath: string): URLSearchParams | undefined {
  if (req.method !== 'GET' || req.path !== callbackPath) return undefined;
  const queryStart = req.originalUrl.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1));
  const state = query.get('state');
  const pending = req.session?.pendingLogins;
  return state !== null && pending !== undefined && Object.hasOwn(pending, state)
    ? query
    : undefined;
}
