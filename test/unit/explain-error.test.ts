import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainError } from '../../src/http/explain-error.ts';

describe('explainError', () => {
  it('says what the state check protects against, with its RFC section', () => {
    assert.match(explainError('unknown_state') ?? '', /login CSRF.*RFC 6749 §10\.12/);
  });

  it('names the PKCE check behind a refused code', () => {
    assert.match(explainError('code_rejected') ?? '', /PKCE.*RFC 7636/);
  });

  it("explains a provider's error= answer with its OAuth error code", () => {
    assert.match(explainError('provider_access_denied') ?? '', /error=access_denied/);
  });

  it('does not read the explanations object as a dictionary of any key', () => {
    assert.match(explainError('provider_toString') ?? '', /error=toString/);
  });
});
