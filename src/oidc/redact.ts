// Turns request and response values into what the /flow page may show: secrets replaced by a
// description of their shape, never by any part of their value.

const secretNames = /token|code$|^code|secret|verifier|assertion|password|authorization/i;

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
    shown[name] = secretNames.test(name) && name !== 'token_type' ? describeSecret(text) : text;
  }
  return shown;
}

/** A URL without its query string (the query goes through redactFields). */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
