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
} from '../../tokenloop/test/support/folder-layers.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** The folder of a source file: its top folder under src, or commands/<command>; undefined for src's own files. */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return undefined;
  return parts[0] === 'commands' && parts.length > 2 ? `commands/${parts[1]}` : parts[0];
}

const PACKAGE: FolderLayers = {
  src: SRC,
  folderOf,
  // The layers, lowest first.
  layers: [
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
  ],
};

test('S160 every CLI src folder has a layer, and imports only folders of lower layers', () => {
  assert.deepEqual(folderWithoutLayer(PACKAGE), [], 'a new folder under src: give it its layer');
  assert.deepEqual(upwardImports(PACKAGE), []);
});

test('S160 the import graph between CLI src folders has no cycle', () => {
  assert.deepEqual(cyclesOf(folderEdges(PACKAGE)), []);
});

test('S160 the scan sees every form of import, and finds a cycle where there is one', () => {
  assert.deepEqual(importsOf(IMPORT_FORMS), IMPORT_FORMS_SEEN);
  assert.equal(folderOf(join(SRC, 'commands', 'agent', 'run-agent.ts')), 'commands/agent');
  assert.equal(folderOf(join(SRC, 'commands', 'emulator.ts')), 'commands');
  assert.ok(folderEdges(PACKAGE).some((e) => e.from === 'commands/agent' && e.to === 'fast-path'));
  const edge = (from: string, to: string): Edge => ({ from, to, file: '', specifier: '' });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), ['a -> b -> c -> a']);
});
