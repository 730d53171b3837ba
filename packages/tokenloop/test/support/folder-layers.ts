// S160: the one scan behind every package's folder-layer test (the library's, the CLI's, the emulator's): the
// imports between a package's source folders, read with TypeScript's pre-processor (import, import type,
// export … from, import()), judged against the package's layers, and the cycles among them.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { TS_NAME, sourceFiles } from './package-sources.js';

export interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** A package's layers (lowest first) and how a source file maps to its folder (undefined: not judged). */
export interface FolderLayers {
  src: string;
  layers: readonly (readonly string[])[];
  folderOf(file: string): string | undefined;
}

/** The source files a layer test reads. */
export const layerSources = (src: string): string[] => sourceFiles(src, { names: TS_NAME });

/** The module specifiers a source imports: import (also of types only), export … from, import(). */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Every import of one folder of the package from another. */
export function folderEdges(p: FolderLayers): Edge[] {
  const edges: Edge[] = [];
  for (const file of layerSources(p.src)) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const from = p.folderOf(file);
      const to = p.folderOf(resolve(dirname(file), specifier));
      if (from && to && from !== to) edges.push({ from, to, file: relative(p.src, file), specifier });
    }
  }
  return edges;
}

/** Folders without a layer (a new folder must be given one). */
export function folderWithoutLayer(p: FolderLayers): string[] {
  const layered = new Set(p.layers.flat());
  const folders = new Set(layerSources(p.src).flatMap((f) => p.folderOf(f) ?? []));
  return [...folders].filter((f) => !layered.has(f));
}

/** Imports of a folder of the same or a higher layer, as readable lines. */
export function upwardImports(p: FolderLayers): string[] {
  const layer = new Map(p.layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  return folderEdges(p)
    .filter((e) => layer.get(e.to)! >= layer.get(e.from)!)
    .map((e) => `${e.file} imports ${e.specifier} (${e.from} may not import ${e.to})`);
}

/** The cycles of a graph, each as `a -> b -> a` (depth-first; a folder met again on the path closes one). */
export function cyclesOf(edges: readonly Edge[]): string[] {
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

/** The four import forms the scan must see, for each package's self-test. */
export const IMPORT_FORMS = [
  "import { a } from '../one/a.js';",
  "import type { B } from '../two/b.js';",
  "export { c } from '../three/c.js';",
  "const d = () => import('../four/d.js');",
].join('\n');
export const IMPORT_FORMS_SEEN = ['../one/a.js', '../two/b.js', '../three/c.js', '../four/d.js'];
