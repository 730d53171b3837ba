// S160: the library's source folders form layers. A folder imports only folders of lower layers (a type import
// counts: the compiler resolves it), so no chain of imports between folders comes back to where it started. The
// neutral model/ (the types and checks cache/, flows/ and client/ share: TokenSet, the cache's records and its
// store interface, the client's options, the grant context) sits below all three; cache/ below flows/ (grants
// read records), flows/ below client/ (the client loads the grants). The scan resolves every import, export-from
// and import() of src with TypeScript's pre-processor.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The layers, lowest first. '.' is src itself (the entry points, which only re-export). */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'log'],
  ['http', 'private-files', 'mail'],
  ['authority', 'validation'],
  ['model'],
  ['cache'],
  ['flows'],
  ['client'],
  ['cli-state'],
  ['azure'],
  ['.'],
];
const LAYER = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

const sources = (dir: string): string[] => sourceFiles(dir, { names: TS_NAME });

/** The top folder under src of a source file ('.' for src's own files). */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : '.';
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** The module specifiers a source imports: import (also of types only), export … from, import(). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Every import of one src folder from another. */
function folderEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sources(SRC)) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, file: relative(SRC, file), specifier });
    }
  }
  return edges;
}

test('S160 every src folder has a layer, and imports only folders of lower layers', () => {
  const folders = new Set(sources(SRC).map(folderOf));
  assert.deepEqual(
    [...folders].filter((f) => !LAYER.has(f)),
    [],
    'a new folder under src: give it its layer in LAYERS',
  );
  const upward = folderEdges()
    .filter((e) => LAYER.get(e.to)! >= LAYER.get(e.from)!)
    .map((e) => `${e.file} imports ${e.specifier} (${e.from} may not import ${e.to})`);
  assert.deepEqual(upward, []);
});

test('S160 the import graph between src folders has no cycle', () => {
  const next = new Map<string, Set<string>>();
  for (const e of folderEdges()) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  // Depth-first search; a folder met again while it is on the path closes a cycle.
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (folder: string, path: string[]) => {
    if (path.includes(folder)) {
      cycles.push([...path.slice(path.indexOf(folder)), folder].join(' -> '));
      return;
    }
    if (done.has(folder)) return;
    for (const to of next.get(folder) ?? []) visit(to, [...path, folder]);
    done.add(folder);
  };
  for (const folder of next.keys()) visit(folder, []);
  assert.deepEqual(cycles, []);
});

test('S160 the scan sees every form of import it judges: import, import type, export-from and import()', () => {
  const source = [
    "import { a } from '../one/a.js';",
    "import type { B } from '../two/b.js';",
    "export { c } from '../three/c.js';",
    "const d = () => import('../four/d.js');",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['../one/a.js', '../two/b.js', '../three/c.js', '../four/d.js']);
  assert.ok(folderEdges().some((e) => e.from === 'client' && e.to === 'flows'));
});
