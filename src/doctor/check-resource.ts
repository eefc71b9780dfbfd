// The doctor's check of RESOURCE_URL: called without a token, a protected API refuses with 401
// (RFC 6750 §3.1), which is also the answer the app's refresh-and-retry rule waits for.
import type { CheckResult } from '../oidc/provider-checks.ts';

/** GETs `url` with no credentials, following no redirect, and judges the answer. */
export async function checkResource(url: URL, timeoutSeconds: number): Promise<CheckResult> {
  const label = 'Protected API';
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
  } catch (error) {
    const cause =
      error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? 'did not answer in time (HTTP_TIMEOUT_SECONDS)'
        : `cannot be reached (${String(cause?.code ?? error)})`;
    return {
      status: 'fail',
      label,
      detail: `${url.href} ${reason}`,
      fix: 'check RESOURCE_URL and that this machine can reach it',
    };
  }
  await response.body?.cancel();
  const { status } = response;
  const answered = `${url.href} answers ${status}`;
  if (status === 401) {
    const challenge = response.headers.get('www-authenticate')?.split(' ')[0];
    const detail = `${answered} without a token${challenge ? ` (WWW-Authenticate: ${challenge})` : ''}`;
    return { status: 'ok', label, detail };
  }
  if (status >= 200 && status < 300) {
    return {
      status: 'fail',
      label,
      detail: `${answered} without a token: it is not protected`,
      fix: 'point RESOURCE_URL at the API that checks the access token',
    };
  }
  if (status >= 300 && status < 400) {
    return {
      status: 'fail',
      label,
      detail: `${answered}, a redirect to ${response.headers.get('location') ?? 'elsewhere'}: a web page, not an API`,
      fix: 'point RESOURCE_URL at the API itself, which answers 401 without a token',
    };
  }
  if (status === 403) {
    // The app refreshes and retries on 401 only; a 403 is shown to the user as a refusal.
    const detail = `${answered} without a token, where RFC 6750 §3.1 says 401: the app renews and retries a refused token on 401 only`;
    return { status: 'warn', label, detail };
  }
  return {
    status: 'fail',
    label,
    detail: `${answered} without a token, where 401 was expected`,
    fix: status === 404 ? 'check RESOURCE_URL: nothing is there' : 'check RESOURCE_URL and the API',
  };
}
