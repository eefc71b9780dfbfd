// Turns request and response values into what the /flow page may show: secrets replaced by a
// description of their shape, never by any part of their value.

const secretNames = new Set([
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'logout_token',
  'token',
  'password',
  'authorization',
]);

/** A value that names what it was without revealing it. */
export function describeSecret(value: string): string {
  const kind = /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value) ? 'JWT' : 'value';
  return `${kind}, ${value.length} characters (redacted)`;
}

/** Copies the fields, redacting those whose name says they carry a secret. */
export function redactFields(fields: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === undefined) continue;
    shown[name] = secretNames.has(name.toLowerCase()) ? describeSecret(text) : text;
  }
  return shown;
}

/** A URL without its query string (the query goes through redactFields). */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
