// The /flow recorder. A middleware opens a recording for each request; the fetch openid-client uses
// (its customFetch hook) adds every exchange with the provider and the API to it, and the request's
// own legs (the browser arriving with an authorization response, the browser sent to the provider)
// join them. When the response ends they are appended to the session, secrets redacted.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, RequestHandler } from 'express';
import type { FlowStep, FlowStepKind } from '../protocol.ts';
import { redactFields, withoutQuery } from './redact.ts';

export type FetchLike = (url: string, options: RequestInit) => Promise<Response>;

interface Recording {
  steps: FlowStep[];
  now: () => number;
}

const recordings = new AsyncLocalStorage<Recording>();

/** How many steps a session keeps: the newest, so a long session does not grow without end. */
export const maxFlowSteps = 50;
/** A response body larger than this is not shown (nor read further by the recorder). */
const maxFieldsBytes = 16_384;

export interface RecordFlowOptions {
  /** The app's clock. */
  now: () => number;
  /** Called when saving the recorded steps fails; the response goes out all the same. */
  onError: (error: unknown) => void;
}

/**
 * Records this request's exchanges into the session's `flow` (mount it after the session
 * middleware). Only a session with a sign-in in progress or done keeps them: a stray callback
 * does not create a session row.
 */
export function recordFlow(options: RecordFlowOptions): RequestHandler {
  return (req, res, next) => {
    const recording: Recording = { steps: [], now: options.now };
    const authorizationResponse = describeAuthorizationResponse(req, options.now());
    if (authorizationResponse) recording.steps.push(authorizationResponse);

    const end = res.end;
    // Wraps res.end (as express-session does): the steps are saved before the response goes out,
    // so the page the browser goes to next already finds them.
    res.end = function endAfterSaving(this: typeof res, ...args: unknown[]) {
      const redirect = describeRedirect(res.getHeader('location'), options.now());
      if (redirect) recording.steps.push(redirect);
      const session = req.session;
      if (recording.steps.length === 0 || !(session?.user || session?.pendingLogins)) {
        return end.apply(this, args as Parameters<typeof end>);
      }
      session.flow = [...(session.flow ?? []), ...recording.steps].slice(-maxFlowSteps);
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

/** The browser arriving back from the provider: `state` with `code` or `error` (RFC 6749 §4.1.2). */
function describeAuthorizationResponse(req: Request, at: number): FlowStep | undefined {
  const query = new URL(req.originalUrl, 'http://app.invalid').searchParams;
  if (req.method !== 'GET' || !query.has('state') || !(query.has('code') || query.has('error')))
    return undefined;
  return {
    at,
    kind: 'authorization-response',
    request: { method: 'GET', url: req.path, params: redactFields(Object.fromEntries(query)) },
  };
}

/** The browser sent to another origin: the authorization request, or the provider's sign-out. */
function describeRedirect(location: unknown, at: number): FlowStep | undefined {
  if (typeof location !== 'string' || !URL.canParse(location)) return undefined;
  const url = new URL(location);
  const params = Object.fromEntries(url.searchParams);
  const kind: FlowStepKind | undefined =
    'response_type' in params
      ? 'authorization-request'
      : 'post_logout_redirect_uri' in params || 'id_token_hint' in params
        ? 'end-session'
        : undefined;
  if (!kind) return undefined;
  return {
    at,
    kind,
    request: { method: 'GET', url: withoutQuery(url), params: redactFields(params) },
  };
}

async function describeExchange(
  url: URL,
  options: RequestInit,
  response: Response,
  at: number,
): Promise<FlowStep> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  if (options.body instanceof URLSearchParams || typeof options.body === 'string') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(options.body.toString())));
  }
  const authorization = new Headers(options.headers).get('authorization');
  if (authorization !== null) params.authorization = authorization;
  const kind = kindOf(params, authorization);
  // An API's answer is the page's business, not the flow's: only its status is kept.
  const fields = kind === 'bearer-call' ? {} : await readFields(response);
  return {
    at,
    kind,
    request: {
      method: options.method ?? 'GET',
      url: withoutQuery(url),
      params: redactFields(params),
    },
    response: { status: response.status, fields: redactFields(fields) },
  };
}

function kindOf(params: Record<string, string>, authorization: string | null): FlowStepKind {
  if (params.grant_type === 'authorization_code') return 'token-request';
  if (params.grant_type === 'refresh_token') return 'token-refresh';
  if (params.token_type_hint !== undefined && params.token !== undefined) return 'token-revocation';
  if (authorization?.toLowerCase().startsWith('bearer ')) return 'bearer-call';
  return 'provider-call';
}

/** The top-level fields of a JSON answer, reading at most `maxFieldsBytes` of a copy of it. */
async function readFields(response: Response): Promise<Record<string, unknown>> {
  if (!response.headers.get('content-type')?.includes('json') || !response.body) return {};
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.clone().body ?? []) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > maxFieldsBytes) return {};
    }
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
