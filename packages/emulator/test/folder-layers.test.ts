// S160 (issue 16): the emulator's source folders form layers. A folder imports only folders of lower layers (a type
// import and a lazy import() count: the compiler resolves them), so no chain of imports between folders comes back
// to where it started. The files of src itself (index.ts, start.ts, options.ts, context.ts, routes.ts,
// sample-ids.ts: the entry points and the context every folder is handed) are not a folder and are not judged here.
// directory/ is the tenant's registered state the protocol folders share: besides users, apps and resources it
// holds the scopes they name (scopes.ts), the consent given to them (consent.ts), the scenario switches refusing a
// user or app (scenarios.ts), the redirect URI rule (redirect-uri.ts) and the issuer names (issuer-names.ts); the
// loopback names an address answers to are http/'s (loopback-names.ts). The scan reads every import, export-from
// and import() of src with TypeScript's pre-processor, as the library's test/source/folder-layers.test.ts does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.ts';

const SRC = join(import.meta.dirname, '..', 'src');

/** The layers, lowest first. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'pages'],
  ['http'],
  ['keys', 'directory'],
  ['federation', 'state'],
  ['tokens'],
  ['flow'],
  ['grants', 'admin'],
  ['endpoints'],
];
const LAYER = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

const sources = (dir: string): string[] => sourceFiles(dir, { names: TS_NAME });

/** The top folder under src of a source file; undefined for src's own files. */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? undefined : parts[0];
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
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), specifier));
      if (from && to && from !== to) edges.push({ from, to, file: relative(SRC, file), specifier });
    }
  }
  return edges;
}

/** The cycles of a graph, each as `a -> b -> a` (depth-first; a folder met again on the path closes one). */
function cyclesOf(edges: readonly Edge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
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
  return cycles;
}

test('S160 every emulator src folder has a layer, and imports only folders of lower layers', () => {
  const folders = new Set(sources(SRC).flatMap((f) => folderOf(f) ?? []));
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

test('S160 the import graph between emulator src folders has no cycle', () => {
  assert.deepEqual(cyclesOf(folderEdges()), []);
});

test('S160 the scan sees every form of import and finds a cycle where there is one', () => {
  const source = [
    "import { a } from '../one/a.js';",
    "import type { B } from '../two/b.js';",
    "export { c } from '../three/c.js';",
    "const d = () => import('../four/d.js');",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['../one/a.js', '../two/b.js', '../three/c.js', '../four/d.js']);
  assert.ok(folderEdges().some((e) => e.from === 'endpoints' && e.to === 'grants'));
  const edge = (from: string, to: string): Edge => ({ from, to, file: '', specifier: '' });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), ['a -> b -> c -> a']);
});
