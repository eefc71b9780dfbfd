// The views read only the locals src/http/view-engine.ts lists: it passes them no other, and EJS
// declares exactly those. Each view is compiled as the app compiles it, and TypeScript checks the
// generated code, every branch of it, rendered or not, for a name it does not declare.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import ejs from 'ejs';
import { viewLocals, viewOptions } from '../../src/http/view-engine.ts';
import { tempDir } from '../support/temp-dir.ts';

const viewsDir = path.join(import.meta.dirname, '..', '..', 'views');

/** Every view and partial: its file, its path under views/, its text. */
async function readViews(): Promise<Array<{ file: string; name: string; text: string }>> {
  const entries = await readdir(viewsDir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ejs'));
  return Promise.all(
    files.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, name: path.relative(viewsDir, file), text: await readFile(file, 'utf8') };
    }),
  );
}

/** The function EJS makes of a view, as a module in which `locals` has only the listed names. */
function compileToModule(file: string, text: string): string {
  const options = { ...viewOptions(viewsDir, true), filename: file, compileDebug: false };
  const template = new ejs.Template(text, options);
  template.compile();
  const locals = viewLocals.map((name) => `${name}?: any`).join('; ');
  return `/** @typedef {{ ${locals} }} ViewLocals */
/**
 * @param {ViewLocals} locals
 * @param {(value: unknown) => string} escapeFn
 * @param {(name: string, data?: object) => string} include
 */
export function render(locals, escapeFn, include) {
${template.source}}
`;
}

/** TypeScript's errors for the modules, each line naming its view. */
function typeCheck(dir: string, fileToView: Map<string, string>): string[] {
  const tsc = path.join(
    path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  const run = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], {
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  const errors = run.stdout
    .split('\n')
    .filter((line) => line.includes('error TS'))
    .map((line) => {
      const file = path.basename(line.slice(0, line.indexOf('(')));
      return `views/${fileToView.get(file) ?? file}: ${line.slice(line.indexOf('error TS'))}`;
    });
  if (run.status !== 0 && errors.length === 0) throw new Error(`tsc failed: ${run.stderr}`);
  return errors;
}

describe('views/', () => {
  it('reads no local that src/http/view-engine.ts does not list, on any branch', async (t) => {
    const dir = await tempDir(t, 'oer-views-');
    const fileToView = new Map<string, string>();
    for (const view of await readViews()) {
      const file = `${view.name.replaceAll(path.sep, '--')}.js`;
      fileToView.set(file, view.name);
      await writeFile(path.join(dir, file), compileToModule(view.file, view.text));
    }
    const compilerOptions = {
      allowJs: true,
      checkJs: true,
      strict: false,
      noEmit: true,
      target: 'es2024',
      lib: ['es2024'],
      types: [],
      module: 'nodenext',
    };
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, include: ['*.js'] }),
    );

    const errors = typeCheck(dir, fileToView);

    assert.notEqual(fileToView.size, 0, 'views found');
    assert.deepEqual(errors, []);
  });

  it('reads every local that src/http/view-engine.ts lists', async () => {
    const text = (await readViews()).map((view) => view.text).join('\n');

    const unread = viewLocals.filter((name) => !new RegExp(`\\b${name}\\b`).test(text));

    assert.deepEqual(unread, []);
  });
});
