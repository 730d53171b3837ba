// S160: the library's source folders form layers. A folder imports only folders of lower layers (a type import
// counts: the compiler resolves it), so no chain of imports between folders comes back to where it started. The
// neutral model/ (the types and checks cache/, flows/ and client/ share: TokenSet, the cache's records and its
// store interface, the client's options, the grant context; and the token syntax, which mail/ checks too) sits
// below all four; cache/ below flows/ (grants read records), flows/ below client/ (the client loads the grants). The scan resolves every import, export-from
// and import() of src with TypeScript's pre-processor. text/ (HTML escaping, the base64url check) imports
// nothing and sits at the bottom.
import assert from 'node:assert/strict';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import {
  type Edge,
  type FolderLayers,
  IMPORT_FORMS,
  IMPORT_FORMS_SEEN,
  cyclesOf,
  folderEdges,
  folderWithoutLayer,
  importsOf,
  upwardImports,
} from '../support/folder-layers.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The top folder under src of a source file ('.' for src's own files, the entry points). */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : '.';
}

const PACKAGE: FolderLayers = {
  src: SRC,
  folderOf,
  // The layers, lowest first.
  layers: [
    ['errors', 'log', 'text'],
    ['http', 'private-files'],
    ['authority', 'validation'],
    ['model'],
    ['cache', 'mail'],
    ['flows'],
    ['client'],
    ['cli-state'],
    ['azure'],
    ['.'],
  ],
};

test('S160 every src folder has a layer, and imports only folders of lower layers', () => {
  assert.deepEqual(folderWithoutLayer(PACKAGE), [], 'a new folder under src: give it its layer');
  assert.deepEqual(upwardImports(PACKAGE), []);
});

test('S160 the import graph between src folders has no cycle', () => {
  assert.deepEqual(cyclesOf(folderEdges(PACKAGE)), []);
});

test('S160 the scan sees every form of import, and finds a cycle where there is one', () => {
  assert.deepEqual(importsOf(IMPORT_FORMS), IMPORT_FORMS_SEEN);
  assert.ok(folderEdges(PACKAGE).some((e) => e.from === 'client' && e.to === 'flows'));
  const edge = (from: string, to: string): Edge => ({ from, to, file: '', specifier: '' });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), ['a -> b -> c -> a']);
});
