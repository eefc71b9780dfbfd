// The layout's rules, checked on the source: no folder of src/ imports a folder that imports it back
// (type-only imports included), openid-client is imported in src/oidc only, process.env is read in
// server.ts only, and src/dev is loaded only by start.ts, on demand.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

const srcDir = path.join(import.meta.dirname, '..', '..', 'src');

interface SourceFile {
  /** Path under src/, with forward slashes. */
  name: string;
  text: string;
  /** Every module it imports (static, dynamic or type-only), as written. */
  imports: string[];
}

async function readSources(): Promise<SourceFile[]> {
  const entries = await readdir(srcDir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  return Promise.all(
    files.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const text = await readFile(file, 'utf8');
      const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].flatMap((match) =>
        match[1] ? [match[1]] : [],
      );
      return { name: path.relative(srcDir, file).split(path.sep).join('/'), text, imports };
    }),
  );
}

/** The folder a file of src/ belongs to (`stores/sqlite`), or the file itself at the top (`app.ts`). */
function unitOf(name: string): string {
  return name.includes('/') ? path.posix.dirname(name) : name;
}

/** Folder → the folders its files import (relative imports only). */
function folderGraph(sources: SourceFile[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const source of sources) {
    const from = unitOf(source.name);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const specifier of source.imports.filter((name) => name.startsWith('.'))) {
      const target = path.posix.normalize(
        path.posix.join(path.posix.dirname(source.name), specifier),
      );
      const to = unitOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle of the graph as a path `a → b → a`, or undefined when there is none. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'visiting');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The imports of a file that load code (not `import type`), as paths under src/. */
function valueImportsOf(source: SourceFile): Array<{ target: string; isDynamic: boolean }> {
  const statements = [
    ...source.text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'/gms),
    ...source.text.matchAll(/\bimport\('(\.[^']+)'\)/g),
  ];
  return statements.flatMap((match) =>
    match[1]
      ? [
          {
            target: path.posix.normalize(
              path.posix.join(path.posix.dirname(source.name), match[1]),
            ),
            isDynamic: match[0].includes('import('),
          },
        ]
      : [],
  );
}

describe('the layout of src/', () => {
  it('has no import cycle between folders, type-only imports included', async () => {
    const graph = folderGraph(await readSources());

    assert.equal(findCycle(graph)?.join(' → '), undefined);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const graph = new Map([
      ['oidc', new Set(['session'])],
      ['session', new Set(['stores'])],
      ['stores', new Set(['oidc'])],
    ]);

    assert.equal(findCycle(graph)?.join(' → '), 'oidc → session → stores → oidc');
  });

  it('imports openid-client in src/oidc only', async () => {
    const sources = await readSources();

    const importers = sources.filter((source) => source.imports.includes('openid-client'));

    assert.ok(importers.length > 0);
    assert.deepEqual(
      importers.filter((source) => !source.name.startsWith('oidc/')).map((source) => source.name),
      [],
    );
  });

  it('reads process.env in server.ts only', async () => {
    const sources = await readSources();

    const readers = sources.filter((source) => /\bprocess\.env\b/.test(source.text));

    assert.deepEqual(
      readers.map((source) => source.name),
      ['server.ts'],
    );
  });

  it('loads src/dev only from start.ts, on demand (production never imports it)', async () => {
    const sources = await readSources();

    const loaders = sources.flatMap((source) =>
      source.name.startsWith('dev/')
        ? []
        : valueImportsOf(source)
            .filter(({ target }) => target.startsWith('dev/'))
            .map(({ isDynamic }) => `${source.name} (${isDynamic ? 'dynamic' : 'static'})`),
    );

    assert.deepEqual(loaders, ['start.ts (dynamic)']);
  });
});
