// Text from a provider or an API, made safe to print to a terminal: a control character could
// move the cursor, rewrite earlier lines or change colours (terminal escape injection).

/**
 * Text from the provider or the API, safe for a terminal: control characters (escape sequences
 * could rewrite the screen) become U+FFFD.
 */
export function printable(text: string, { keepNewlines = false } = {}): string {
  let safe = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const isControl = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    safe += isControl && !(keepNewlines && character === '\n') ? '\ufffd' : character;
  }
  return safe;
}
