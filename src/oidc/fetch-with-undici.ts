// The fetch every provider and API call goes through, built on undici's request(): the same answer
// as a global Response, with the parts of fetch this app's callers (openid-client, oauth4webapi,
// jose) rely on. Not the rest: no redirects followed, no decompression, no cookies, no CORS.
import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';

/** Statuses whose response has no body (Fetch Standard, "null body status"). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/**
 * The most any answer may hold. No provider answer comes near it (a discovery document, a key set,
 * a token response: a few kB); it keeps a provider that answers without end from filling the
 * process's memory, which global fetch would let it do. API answers have their own, smaller cap.
 */
const maxAnswerBytes = 1_000_000;

/** An answer larger than `maxAnswerBytes`: read as an unusable answer, not a failed connection. */
export class AnswerTooLargeError extends Error {
  constructor() {
    super(`The answer is larger than ${maxAnswerBytes} bytes; the rest was not read.`);
    this.name = 'AnswerTooLargeError';
  }
}

/** The methods fetch upper-cases (Fetch Standard, "normalize a method"). */
const normalizedMethods = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

// fetch cancels the body of a Response collected unread (undici's fetch registers every answer):
// without this, an unread body larger than the stream's buffer (a big error page) would hold its
// connection until undici's body timeout, 300 s. A body someone is still reading is left alone.
const unreadBodies = new FinalizationRegistry<{ body: Readable; stream: WeakRef<ReadableStream> }>(
  ({ body, stream }) => {
    if (!stream.deref()?.locked) body.destroy();
  },
);

/**
 * `fetch(url, init)` for the calls openid-client and jose make: string, URLSearchParams or byte
 * bodies, any headers, a signal, `redirect: 'manual'` (a 3xx is returned as it came). Resolves
 * with a global Response whose body streams from the connection; cancelling it aborts the request.
 * Rejects as fetch does: with the signal's reason when it aborts (a timeout's `TimeoutError`), and
 * with `TypeError('fetch failed')` whose `cause` says why (ECONNREFUSED, ENOTFOUND) otherwise.
 * Connections are kept alive in undici's global dispatcher, with its timeouts (as global fetch).
 */
export async function fetchWithUndici(url: string, init: RequestInit): Promise<Response> {
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  if (init.redirect !== 'manual') {
    throw new TypeError(`fetchWithUndici follows no redirects: pass redirect: 'manual'`);
  }
  // As fetch (Fetch Standard, "Request constructor"): credentials in a URL are refused, not
  // silently dropped.
  const target = new URL(url);
  if (target.username !== '' || target.password !== '') {
    throw new TypeError('Request cannot be constructed from a URL that includes credentials');
  }
  const method = methodOf(init.method);
  const headers = new Headers(init.headers);
  const body = requestBodyOf(init.body, headers);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('Request with GET/HEAD method cannot have body.');
  }
  // Nothing here decodes gzip or br, so ask for none: with no Accept-Encoding at all, a server may
  // pick any coding (RFC 9110 §12.5.3).
  if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'identity');

  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(target, { method, headers, body, signal });
  } catch (error) {
    // map-error.ts tells a timeout from a refused connection by these shapes, fetch's own.
    if (signal?.aborted) throw signal.reason;
    throw new TypeError('fetch failed', { cause: error });
  }
  return responseOf(answer, method, signal);
}

/** The method as fetch sends it: the standard ones upper-cased, whatever case they came in. */
function methodOf(method = 'GET'): string {
  const upper = method.toUpperCase();
  return normalizedMethods.has(upper) ? upper : method;
}

/** The body as undici sends it; a missing Content-Type gets the one fetch would give it. */
function requestBodyOf(
  body: RequestInit['body'],
  headers: Headers,
): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return body;
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) {
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    }
    return body.toString();
  }
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('fetchWithUndici sends string, URLSearchParams or byte bodies only');
}

/**
 * undici's answer as a global Response: openid-client and oauth4webapi check `instanceof
 * Response`. A status a Response cannot carry (outside 200–599) rejects with the constructor's
 * RangeError, the connection released.
 */
async function responseOf(
  answer: Dispatcher.ResponseData,
  method: string,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const { statusCode: status, statusText, body } = answer;
  const hasNoBody = nullBodyStatuses.has(status) || method === 'HEAD';
  const stream = hasNoBody ? null : webStreamOf(body, signal);
  let response: Response;
  try {
    response = new Response(stream, { status, statusText, headers: headersOf(answer.headers) });
  } catch (error) {
    body.destroy();
    throw error;
  }
  if (stream) unreadBodies.register(response, { body, stream: new WeakRef(stream) });
  // A body where none may be (a 204 or 205 sending one anyway) is drained without being waited
  // for: the answer does not hang on a server that trickles it.
  else body.dump().catch(() => {});
  return response;
}

/** Response headers with each line of a repeated field kept (WWW-Authenticate, Set-Cookie). */
function headersOf(fields: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const line of value) headers.append(name, line);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/**
 * The connection's body as a web stream, read only as fast as the caller reads it. Cancelling it
 * destroys the body, and undici then aborts the request (closing its connection): the rest is
 * never buffered. Errors as fetch's do: the signal's reason, or `TypeError('terminated')`; and
 * with an AnswerTooLargeError past `maxAnswerBytes`.
 */
function webStreamOf(body: Readable, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  const chunks: AsyncIterator<Buffer> = body[Symbol.asyncIterator]();
  let size = 0;
  return new ReadableStream({
    async pull(controller) {
      let chunk: IteratorResult<Buffer>;
      try {
        chunk = await chunks.next();
      } catch (error) {
        throw signal?.aborted ? signal.reason : new TypeError('terminated', { cause: error });
      }
      if (chunk.done) return controller.close();
      size += chunk.value.byteLength;
      if (size > maxAnswerBytes) {
        body.destroy();
        throw new AnswerTooLargeError();
      }
      controller.enqueue(chunk.value);
    },
    cancel() {
      body.destroy();
    },
  });
}
