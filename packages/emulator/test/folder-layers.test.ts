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
} from '../../tokenloop/test/support/folder-layers.ts';

const SRC = join(import.meta.dirname, '..', 'src');

/** The top folder under src of a source file; undefined for src's own files. */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? undefined : parts[0];
}

const PACKAGE: FolderLayers = {
  src: SRC,
  folderOf,
  // The layers, lowest first.
  layers: [
    ['errors', 'pages'],
    ['http'],
    ['keys', 'directory'],
    ['federation', 'state'],
    ['tokens'],
    ['flow'],
    ['grants', 'admin'],
    ['endpoints'],
  ],
};

test('S160 every emulator src folder has a layer, and imports only folders of lower layers', () => {
  assert.deepEqual(folderWithoutLayer(PACKAGE), [], 'a new folder under src: give it its layer');
  assert.deepEqual(upwardImports(PACKAGE), []);
});

test('S160 the import graph between emulator src folders has no cycle', () => {
  assert.deepEqual(cyclesOf(folderEdges(PACKAGE)), []);
});

test('S160 the scan sees every form of import, and finds a cycle where there is one', () => {
  assert.deepEqual(importsOf(IMPORT_FORMS), IMPORT_FORMS_SEEN);
  assert.ok(folderEdges(PACKAGE).some((e) => e.from === 'endpoints' && e.to === 'grants'));
  const edge = (from: string, to: string): Edge => ({ from, to, file: '', specifier: '' });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), ['a -> b -> c -> a']);
});
