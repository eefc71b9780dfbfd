// Some plain OAuth 2.0 providers (GitHub) answer token-endpoint errors with HTTP 200 and an `error`
// field, where RFC 6749 §5.2 says 400. openid-client reads a 200 as tokens and fails on the missing
// access_token, so a refused code or refresh token would look like a broken provider (a 502) rather
// than a sign-in to start again. This turns such an answer back into the error it is.
import type { FetchLike } from '../recorder/flow-recorder.ts';

/** GitHub's names for the error codes RFC 6749 §5.2 defines. */
const standardNames: Record<string, string> = {
  bad_verification_code: 'invalid_grant',
  bad_refresh_token: 'invalid_grant',
  incorrect_client_credentials: 'invalid_client',
};

/** Wraps a fetch: a 200 from `tokenEndpoint` carrying `error` and no access token becomes a 400. */
export function withStandardErrorAnswers(inner: FetchLike, tokenEndpoint: URL): FetchLike {
  return async (url, options) => {
    const response = await inner(url, options);
    const target = new URL(url);
    if (
      response.status !== 200 ||
      target.origin !== tokenEndpoint.origin ||
      target.pathname !== tokenEndpoint.pathname ||
      !response.headers.get('content-type')?.includes('json')
    ) {
      return response;
    }
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    if (!isErrorAnswer(body)) return response;
    await response.body?.cancel();
    const error = Object.hasOwn(standardNames, body.error) ? standardNames[body.error] : body.error;
    return Response.json(
      {
        error,
        ...(typeof body.error_description === 'string' && {
          error_description: body.error_description,
        }),
      },
      { status: 400 },
    );
  };
}

function isErrorAnswer(body: unknown): body is { error: string; error_description?: unknown } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { error?: unknown }).error === 'string' &&
    !('access_token' in body)
  );
}
