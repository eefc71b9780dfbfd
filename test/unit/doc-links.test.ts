// The docs point at what exists: every relative link, image and anchor in a Markdown file, every
// file path in backticks, and every function named beside its file (`file.ts` (`name`)) in it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(import.meta.dirname, '../..');
const topFolders = ['src', 'test', 'bin', 'bench', 'docs', 'views', 'public', '.ci'];
const excluded = new Set(['node_modules', '.git', 'data']);

interface Doc {
  name: string;
  text: string;
}

async function readDocs(): Promise<Doc[]> {
  const docs: Doc[] = [];
  for await (const name of glob('**/*.md', {
    cwd: root,
    exclude: (file) => excluded.has(file),
  })) {
    docs.push({ name, text: await readFile(path.join(root, name), 'utf8') });
  }
  assert.ok(docs.length > 10, `only ${docs.length} Markdown files found`);
  return docs;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));
}

/** Every file of the repository by its base name, for mentions without a folder. */
async function filesByName(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const name of glob('**/*', { cwd: root, exclude: (file) => excluded.has(file) })) {
    files.set(path.basename(name), path.join(root, name));
  }
  return files;
}

/**
 * Where a path written in a doc points: from the repository root, else from the doc's folder; a
 * bare file name (the folder is the paragraph's subject) anywhere in the repository.
 */
function resolveMention(doc: Doc, mention: string, files: Map<string, string>): string | undefined {
  if (!mention.includes('/')) return files.get(mention);
  const candidate = topFolders.some((folder) => mention.startsWith(`${folder}/`))
    ? path.join(root, mention)
    : path.join(root, path.dirname(doc.name), mention);
  return existsSync(candidate) ? candidate : undefined;
}

/** Decision records tell what was decided then, moved files included: only their links count. */
function isCurrentDoc(doc: Doc): boolean {
  return !doc.name.startsWith('docs/decisions/');
}

describe('links and references in the Markdown docs', () => {
  it('every relative link leads to a file that exists, and every anchor to a heading', async () => {
    const docs = await readDocs();

    const dangling = docs.flatMap((doc) =>
      // Markdown links and images, and the images written as HTML <img src="…">.
      [...doc.text.matchAll(/\]\(([^)\s]+)\)|<img src="([^"]+)"/g)]
        .map((match) => match[1] ?? match[2] ?? '')
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => {
          const [file = '', anchor] = target.split('#');
          const resolved = path.join(root, path.dirname(doc.name), file);
          if (file !== '' && !existsSync(resolved)) return true;
          if (anchor === undefined || !(file === '' || file.endsWith('.md'))) return false;
          return !anchorsIn(file === '' ? path.join(root, doc.name) : resolved).has(anchor);
        })
        .map((target) => `${doc.name}: ${target}`),
    );

    assert.deepEqual(dangling, []);
  });

  it('every source file named in backticks exists', async () => {
    const docs = (await readDocs()).filter(isCurrentDoc);
    const files = await filesByName();

    const missing = docs.flatMap((doc) =>
      [...doc.text.matchAll(/`([\w./-]+\.(?:ts|js|md|ejs|css))`/g)]
        .map((match) => match[1] ?? '')
        .filter((mention) => resolveMention(doc, mention, files) === undefined)
        .map((mention) => `${doc.name}: ${mention}`),
    );

    assert.deepEqual(missing, []);
  });

  it('every function named beside its file is in that file', async () => {
    const docs = (await readDocs()).filter(isCurrentDoc);
    const files = await filesByName();

    const missing = docs.flatMap((doc) =>
      [...doc.text.matchAll(/`([\w./-]+\.ts)`(?:,| \(|\) \()((?:\s*`\w+`,?)+)/g)].flatMap(
        (match) => {
          const file = resolveMention(doc, match[1] ?? '', files);
          if (file === undefined) return [];
          const source = readFileSync(file, 'utf8');
          return [...(match[2] ?? '').matchAll(/`(\w+)`/g)]
            .map((name) => name[1] ?? '')
            .filter((name) => /^[a-z]+[A-Z]\w*$/.test(name))
            .filter((name) => !new RegExp(`\\b${name}\\b`).test(source))
            .map((name) => `${doc.name}: ${match[1]} (${name})`);
        },
      ),
    );

    assert.deepEqual(missing, []);
  });
});
