// Where to send the browser after sign-in: only a path on this app's own origin, so /login can
// never be used as an open redirector (RFC 9700 §4.11, OWASP unvalidated redirects).

// Longer paths fall back to `/`: the pending login is stored for every anonymous /login, and this
// keeps one sign-in start within 1 kB of the store (docs/decisions/012-sign-in-limits.md).
const maxLength = 256;

/** The same-origin path (with query and fragment) `value` names, or `/` for anything else. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return '/';
  // One leading slash, then not another slash or a backslash (`//host`, `/\host` are other hosts).
  if (!/^\/(?![/\\])/.test(value)) return '/';
  // Backslashes, control characters and whitespace are read as slashes or dropped by browsers.
  if (/[\\\s\p{Cc}]/u.test(value)) return '/';
  // An encoded slash or backslash may be decoded by a proxy or framework further along.
  if (/%(2f|5c|0|1|7f)/i.test(value)) return '/';
  const base = new URL('http://app.invalid');
  const url = new URL(value, base);
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Check the result again: dot segments can normalise into one (`/.//evil.example` → `//evil.example`).
  if (url.origin !== base.origin || !/^\/(?![/\\])/.test(path)) return '/';
  return path;
}
