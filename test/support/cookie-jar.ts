// A minimal browser cookie jar for tests that drive real redirects with fetch. Cookies are kept per
// host name, not per port (RFC 6265 §8.5), with Path matching and expiry; Domain is treated as host-only.

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number | undefined;
  isSecure: boolean;
}

export class CookieJar {
  readonly #byHost = new Map<string, StoredCookie[]>();
  readonly #dispatcher: RequestInit['dispatcher'];

  /**
   * `dispatcher`: the connections every request of this browser goes through, e.g. an undici
   * Agent bound to a loopback address of its own (the benchmark's browsers, each its own client IP).
   */
  constructor(options: { dispatcher?: RequestInit['dispatcher'] } = {}) {
    this.#dispatcher = options.dispatcher;
  }

  /** One request with the jar's cookies, storing the ones it sets. Redirects are not followed. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.header(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, {
      ...init,
      headers,
      redirect: 'manual',
      ...(this.#dispatcher && { dispatcher: this.#dispatcher }),
    });
    this.store(target, response);
    return response;
  }

  /** Keeps the cookies of a response to a request for `url`. */
  store(url: string | URL, response: Response): void {
    const target = new URL(url);
    for (const line of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(line, target);
      if (!cookie) continue;
      const others = this.#cookiesOf(target.hostname).filter(
        (c) => !(c.name === cookie.name && c.path === cookie.path),
      );
      const isExpired = cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now();
      this.#byHost.set(target.hostname, isExpired ? others : [...others, cookie]);
    }
  }

  /** The Cookie header a browser would send to `url`, or undefined when it sends none. */
  header(url: string | URL): string | undefined {
    const target = new URL(url);
    const now = Date.now();
    const matching = this.#cookiesOf(target.hostname)
      .filter((c) => c.expiresAt === undefined || c.expiresAt > now)
      .filter((c) => !c.isSecure || target.protocol === 'https:')
      .filter((c) => pathMatches(target.pathname, c.path))
      // RFC 6265 §5.4: longer paths first.
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  #cookiesOf(hostname: string): StoredCookie[] {
    return this.#byHost.get(hostname) ?? [];
  }
}

function parseSetCookie(line: string, url: URL): StoredCookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const separator = pair.indexOf('=');
  if (separator < 1) return undefined;
  const cookie: StoredCookie = {
    name: pair.slice(0, separator).trim(),
    value: pair.slice(separator + 1).trim(),
    path: defaultPath(url.pathname),
    expiresAt: undefined,
    isSecure: false,
  };
  let maxAge: number | undefined;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'path' && value.startsWith('/')) cookie.path = value;
    else if (key === 'expires' && !Number.isNaN(Date.parse(value)))
      cookie.expiresAt = Date.parse(value);
    else if (key === 'max-age') maxAge = Number(value);
    else if (key === 'secure') cookie.isSecure = true;
  }
  // RFC 6265 §5.3: Max-Age wins over Expires.
  if (maxAge !== undefined && Number.isFinite(maxAge))
    cookie.expiresAt = Date.now() + maxAge * 1000;
  return cookie;
}

// RFC 6265 §5.1.4.
function defaultPath(requestPath: string): string {
  const lastSlash = requestPath.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : requestPath.slice(0, lastSlash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}
