// S160 (issue 16): the CLI's source folders form layers. A folder imports only folders of lower layers (a type import
// and a lazy import() count: the compiler resolves them), so no chain of imports between folders comes back to
// where it started. Each command under commands/ is a folder of its own; the files of src itself (main.ts, the
// entry, and errors.ts, exit-codes.ts, version.ts, which every folder shares) are not a folder and are not judged
// here. The shared pieces sit low: client/ holds the token client, the `tokenloop login` a fix line names
// (login-command.ts) and the choice of account (account-choice.ts) that login, token, status, mail and the fast
// path all use; agent-wire/ holds what the token agent (commands/agent/) and its client in fast-path/ share: the
// protocol, the socket's trust and the answer records. The scan reads every import, export-from and import() of
// src with TypeScript's pre-processor, as the library's test/source/folder-layers.test.ts does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** The layers, lowest first. */
const LAYERS: readonly (readonly string[])[] = [
  ['output', 'agent-wire'],
  ['config'],
  ['client'],
  ['commands/login', 'commands/token'],
  ['fast-path'],
  [
    'commands',
    'commands/accounts',
    'commands/agent',
    'commands/completion',
    'commands/decode',
    'commands/doctor',
    'commands/mail',
    'commands/profile',
    'commands/status',
  ],
];
const LAYER = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

const sources = (dir: string): string[] => sourceFiles(dir, { names: TS_NAME });

/** The folder of a source file: its top folder under src, or commands/<command>; undefined for src's own files. */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return undefined;
  return parts[0] === 'commands' && parts.length > 2 ? `commands/${parts[1]}` : parts[0];
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

test('S160 every CLI src folder has a layer, and imports only folders of lower layers', () => {
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

test('S160 the import graph between CLI src folders has no cycle', () => {
  assert.deepEqual(cyclesOf(folderEdges()), []);
});

test('S160 the scan sees every form of import, each command folder, and finds a cycle where there is one', () => {
  const source = [
    "import { a } from '../one/a.js';",
    "import type { B } from '../two/b.js';",
    "export { c } from '../three/c.js';",
    "const d = () => import('../four/d.js');",
  ].join('\n');
  assert.deepEqual(importsOf(source), ['../one/a.js', '../two/b.js', '../three/c.js', '../four/d.js']);
  assert.equal(folderOf(join(SRC, 'commands', 'agent', 'run-agent.ts')), 'commands/agent');
  assert.equal(folderOf(join(SRC, 'commands', 'emulator.ts')), 'commands');
  assert.ok(folderEdges().some((e) => e.from === 'commands/agent' && e.to === 'fast-path'));
  const edge = (from: string, to: string): Edge => ({ from, to, file: '', specifier: '' });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), ['a -> b -> c -> a']);
});
