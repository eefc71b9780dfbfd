import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { variables } from '../../src/config/variables.ts';

const root = new URL('../../', import.meta.url);
const names = Object.keys(variables);

/** The text of a file at the repository root; a missing file fails the test with its name. */
async function readDoc(name: string): Promise<string> {
  try {
    return await readFile(new URL(name, root), 'utf8');
  } catch (error) {
    assert.fail(`${name} cannot be read: ${(error as Error).message}`);
  }
}

describe('configuration docs', () => {
  it('names every variable in the README', async () => {
    const readme = await readDoc('README.md');

    const missing = names.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme));

    assert.deepEqual(missing, []);
  });

  it('sets or comments out every variable in .env.example', async () => {
    const example = await readDoc('.env.example');

    const missing = names.filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example));

    assert.deepEqual(missing, []);
  });

  it('lists no variable in .env.example that the app does not read', async () => {
    const example = await readDoc('.env.example');

    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const unknown = listed.filter((name) => name !== undefined && !names.includes(name));

    assert.deepEqual(unknown, []);
  });
});
