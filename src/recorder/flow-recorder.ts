// The /flow recorder. A middleware opens a recording for each request; the fetch openid-client uses
// (its customFetch hook) adds every exchange with the provider and the API to it, and the browser's
// own legs (back from the provider at the callback, sent to the provider) join them. They join the
// session in the route's own save (or as the response ends); the steps of a request that made only
// API calls with a good token, and those of a browser nobody is signed into, are kept in memory
// instead (flow-history.ts). The protocol functions know nothing of it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { type FlowStep, pendingLoginAnswered } from '../protocol.ts';
import {
  describeAuthorizationResponse,
  describeExchange,
  describeRedirect,
} from './describe-exchange.ts';
import { type FlowHistory, maxFlowSteps, mergeByTime } from './flow-history.ts';

export type FetchLike = (url: string, options: RequestInit) => Promise<Response>;

interface Recording {
  steps: FlowStep[];
  now: () => number;
}

const recordings = new AsyncLocalStorage<Recording>();

/**
 * What a browser nobody is signed into keeps in memory: what its sign-ins in progress need at
 * their callback (a start, and the pushed request with PAR; five in progress at most). With the
 * size of each recorded value capped, an anonymous flood holds a few MB at most.
 */
const maxStepsWithoutUser = 10;

export interface RecordFlowOptions {
  /** The path of the redirect URI, where the browser comes back from the provider. */
  callbackPath: string;
  /** The app's clock. */
  now: () => number;
  /** Where the steps of requests that write no session go, and what /flow merges them from. */
  history: FlowHistory;
  /**
   * Registers the recorder's update to run before the route's own session saves of this request
   * (session-lifecycle's `updateBeforeSave`): the steps join that write instead of a second one.
   * A request that saves nothing itself saves them as the response ends.
   */
  beforeSessionSave: (req: Request, update: () => void) => void;
  /** Called when saving the recorded steps fails; the response goes out all the same. */
  onError: (error: unknown) => void;
}

/**
 * Records this request's exchanges into the session (mount it after the session middleware): a
 * signed-in session's, or a signed-out one's. A request whose only exchanges are
 * API calls with a good token, and any request of a browser nobody is signed into, keep them in
 * the in-memory history instead: the session store is not written for them.
 */
export function recordFlow(options: RecordFlowOptions): RequestHandler {
  const { history } = options;
  return (req, res, next) => {
    const recording: Recording = { steps: [], now: options.now };
    const startedAs = req.sessionID;
    const authorizationResponse = answeredSignIn(req, options.callbackPath);
    // Read now: a sign-in replaces the session, and its start may be among these steps.
    const storedBefore = authorizationResponse ? storedSteps(req.session) : [];
    if (authorizationResponse) {
      recording.steps.push(
        describeAuthorizationResponse(options.callbackPath, authorizationResponse, options.now()),
      );
    }

    // Moves the steps recorded so far to where they are kept: the session (true: it must be
    // written) or the in-memory history. Runs when the route saves the session, so that its write
    // carries them, and again as the response ends, for what came after.
    let carried: FlowStep[] = [];
    let isSignInPlaced = false;
    const placeSteps = (): boolean => {
      const session = req.session;
      const steps = recording.steps.splice(0);
      // At the callback a call with the access token names who signed in (plain OAuth 2.0's user
      // endpoint; OIDC's UserInfo is told apart by its Accept header): it is not the API.
      if (authorizationResponse) {
        for (const step of steps) if (step.kind === 'bearer-call') step.kind = 'user-endpoint';
      }
      // A new id (sign-in, sign-out): the old id's steps can never be shown under it. At a
      // sign-in, only this sign-in's start (in memory if nobody was signed in, else in the old
      // session) moves into the signed-in session; the rest of the old id's is dropped.
      const isNewId = startedAs !== undefined && req.sessionID !== startedAs;
      if (isNewId) carried = [...carried, ...history.take(startedAs)];
      const isSignedIn = session?.user !== undefined;
      const state = authorizationResponse?.get('state');
      const signInSteps =
        isNewId && isSignedIn && state && !isSignInPlaced
          ? signInStartOf(mergeByTime(storedBefore, carried), state)
          : [];
      const isApiCallsOnly = steps.every((step) => isApiCall(step));
      if (steps.length > 0 && isApiCallsOnly && isSignedIn) {
        history.keep(req.sessionID, steps);
        return false;
      }
      // Nobody signed in (a sign-in started, a failed callback): the steps stay in memory, so an
      // anonymous /login stores no more than its pending login (docs/decisions/012-sign-in-limits.md).
      if (!isSignedIn && session?.signedOut === undefined) {
        if (steps.length > 0 && session?.pendingLogins !== undefined) {
          history.keep(req.sessionID, steps, maxStepsWithoutUser);
        }
        return false;
      }
      if (steps.length === 0 && signInSteps.length === 0) return false;
      if (signInSteps.length > 0) isSignInPlaced = true;
      storeSteps(session, [...signInSteps, ...storedSteps(session), ...steps].slice(-maxFlowSteps));
      return true;
    };
    options.beforeSessionSave(req, placeSteps);

    const end = res.end;
    // Wraps res.end (as express-session does): steps still unsaved are saved before the response
    // goes out, so the page the browser goes to next already finds them.
    res.end = function endAfterSaving(this: typeof res, ...args: unknown[]) {
      const location = res.getHeader('location');
      const redirect =
        typeof location === 'string' && describeRedirect(location, res.statusCode, options.now());
      if (redirect) recording.steps.push(redirect);
      // Whatever happens to the steps, the answer goes out: this runs outside the routes' error
      // handling, where a throw would end the process.
      let mustSave: boolean;
      try {
        mustSave = placeSteps();
      } catch (error) {
        options.onError(error);
        mustSave = false;
      }
      if (!mustSave) return end.apply(this, args as Parameters<typeof end>);
      req.session.save((error) => {
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
    if (!recording) return inner(url, options);
    const at = recording.now();
    const started = performance.now();
    const response = await inner(url, options);
    const durationMs = Math.round(performance.now() - started);
    recording.steps.push(
      await describeExchange(new URL(url), options, response, { at, durationMs }),
    );
    return response;
  };
}

/**
 * This sign-in's start: the authorization request that carried `state` (with PAR, the pushed
 * request, then the redirect that names its request_uri, recorded right after it) and nothing
 * else. Not another tab's start, and not what a user signed in before in this browser did
 * meanwhile (their API calls and refreshes, with their tokens' claims).
 */
function signInStartOf(steps: readonly FlowStep[], state: string): FlowStep[] {
  const start = steps.findLastIndex(
    (step) => isSignInStart(step) && step.request.params.state === state,
  );
  if (start === -1) return [];
  const pushed = steps[start]?.kind === 'pushed-authorization-request';
  return steps.slice(start, start + (pushed ? 2 : 1)).filter(isSignInStart);
}

/** An authorization request, sent directly or pushed (PAR, RFC 9126). */
export function isSignInStart(step: FlowStep): boolean {
  return step.kind === 'authorization-request' || step.kind === 'pushed-authorization-request';
}

function isApiCall(step: FlowStep): boolean {
  return step.kind === 'bearer-call' || step.kind === 'dpop-call';
}

/**
 * The query of a callback that answers a sign-in this browser started (its state names one of the
 * session's pending logins), read before the callback consumes it. Anything else is not recorded:
 * a forged query must not put words on the user's /flow page.
 */
function answeredSignIn(req: Request, callbackPath: string): URLSearchParams | undefined {
  if (req.method !== 'GET' || req.path !== callbackPath) return undefined;
  const query = new URL(req.originalUrl, 'http://app.invalid').searchParams;
  return pendingLoginAnswered(query, req.session?.pendingLogins) ? query : undefined;
}

/**
 * The session's recorded steps. They are most of a signed-in session's size, yet only /flow and a
 * new step read them, while every request loads the session and express-session hashes it twice
 * (to tell whether it changed). Kept as one deflated string, they are copied, not parsed, and
 * hashed as 0.9 kB of base64 rather than 5 kB of objects: 4 µs a hash instead of 32 here
 * (docs/benchmarks.md). Deflating costs about 45 µs, only when steps are added.
 */
export function storedSteps(session: Partial<SessionData>): FlowStep[] {
  const packed = session.compressedFlow;
  // A session saved by an earlier version holds its steps as objects.
  if (packed === undefined) return Array.isArray(session.flow) ? session.flow : [];
  try {
    const text = inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8');
    const steps: unknown = JSON.parse(text);
    return Array.isArray(steps) ? (steps as FlowStep[]) : [];
  } catch {
    // Damaged (by hand, or in storage): /flow starts again from the next step, nothing fails.
    return [];
  }
}

/** Replaces the session's recorded steps (an empty list removes them). */
function storeSteps(session: Partial<SessionData>, steps: readonly FlowStep[]): void {
  delete session.flow;
  if (steps.length === 0) delete session.compressedFlow;
  else session.compressedFlow = deflateRawSync(JSON.stringify(steps)).toString('base64');
}
