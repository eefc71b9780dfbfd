// Records the HTTP exchanges with the provider while a login or refresh runs, for the /flow page.
// It wraps the fetch openid-client uses (its customFetch hook) and collects into AsyncLocalStorage,
// so concurrent requests never mix their steps.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FlowStep } from './flow-step.ts';
import { redactFields, withoutQuery } from './redact.ts';

export type FetchLike = (url: string, options: RequestInit) => Promise<Response>;

const steps = new AsyncLocalStorage<FlowStep[]>();

const explanations: Record<string, [string, string]> = {
  authorization_code: [
    'Token request: authorization code + PKCE verifier',
    'The server (not the browser) trades the one-time code for tokens, proving with the PKCE verifier that it started this login.',
  ],
  refresh_token: [
    'Token refresh',
    'The access token was about to expire, so the server used the refresh token to get a new one without bothering the user.',
  ],
};

/** Runs `work` and returns its result with the exchanges recorded during it. */
export async function recordFlow<T>(
  work: () => Promise<T>,
): Promise<{ result: T; steps: FlowStep[] }> {
  const recorded: FlowStep[] = [];
  const result = await steps.run(recorded, work);
  return { result, steps: recorded };
}

/** Adds a step that did not go through fetch (the browser's redirects). */
export function addFlowStep(step: FlowStep): void {
  steps.getStore()?.push(step);
}

/** Wraps a fetch so that calls made inside recordFlow are recorded, secrets redacted. */
export function recordingFetch(inner: FetchLike): FetchLike {
  return async (url, options) => {
    const recorded = steps.getStore();
    const response = await inner(url, options);
    if (recorded) recorded.push(await describeExchange(new URL(url), options, response));
    return response;
  };
}

async function describeExchange(
  url: URL,
  options: RequestInit,
  response: Response,
): Promise<FlowStep> {
  const params = Object.fromEntries(url.searchParams);
  if (options.body instanceof URLSearchParams || typeof options.body === 'string') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(options.body.toString())));
  }
  const headers = new Headers(options.headers);
  if (headers.has('authorization')) params.authorization = headers.get('authorization') ?? '';
  const [title, explanation] = explanations[params.grant_type ?? ''] ?? [
    `${options.method ?? 'GET'} ${url.pathname}`,
    'A call to the provider.',
  ];
  return {
    at: Date.now(),
    title,
    explanation,
    request: {
      method: options.method ?? 'GET',
      url: withoutQuery(url),
      params: redactFields(params),
    },
    response: { status: response.status, fields: redactFields(await readFields(response)) },
  };
}

async function readFields(response: Response): Promise<Record<string, unknown>> {
  if (!response.headers.get('content-type')?.includes('json')) return {};
  try {
    const body: unknown = await response.clone().json();
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
