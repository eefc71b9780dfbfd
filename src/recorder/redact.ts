// Turns request and response values into what the /flow page may show: secrets replaced by a
// description of their shape, never by any part of their value, however deeply they are nested.

// A field is secret when its name says so; a few names contain those words but carry no secret.
const secretName = /token|secret|code|verifier|assertion|password|authorization|credential|key/i;
const publicNames = new Set([
  'token_type',
  'token_type_hint',
  'code_challenge',
  'code_challenge_method',
  'client_assertion_type',
]);

function isSecretName(name: string): boolean {
  return secretName.test(name) && !publicNames.has(name.toLowerCase());
}

/** A value that names what it was without revealing it. */
export function describeSecret(value: string): string {
  const kind = /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value) ? 'JWT' : 'value';
  return `${kind}, ${value.length} characters (redacted)`;
}

function redactValue(name: string, value: unknown): unknown {
  if (isSecretName(name))
    return describeSecret(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  if (Array.isArray(value)) return value.map((item) => redactValue(name, item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactValue(key, item)]),
    );
  }
  return value;
}

/** Copies the fields as text, redacting every field (at any depth) whose name says it is secret. */
export function redactFields(fields: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const redacted = redactValue(name, value);
    const text = typeof redacted === 'string' ? redacted : JSON.stringify(redacted);
    if (text !== undefined) shown[name] = text;
  }
  return shown;
}

/** A URL without its query string (the query goes through redactFields). */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
