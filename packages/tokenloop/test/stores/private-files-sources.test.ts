// S81, S84 swept over the sources of every package: files are written only by the one atomic writer and read
// only by the one safe reader (tokenloop/private-files), except where the allow-lists below say why not. A new
// `writeFile`, `createWriteStream`, `open(…, 'w')`, `readFile`… anywhere in packages/*/src or bin fails here
// until it goes through the mechanism or is added below with its reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { packageSourceFiles } from '../support/package-sources.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

const WRITERS: Record<string, string> = {
  'packages/tokenloop/src/private-files/atomic-write.ts':
    'the one atomic writer: random name, O_CREAT|O_EXCL|O_NOFOLLOW, 0600, fsync, rename (S84)',
  'packages/emulator/src/keys/private-files.ts':
    'the emulator depends on no other tokenloop package (dependency profiles), so it cannot use the library; ' +
    'its own writer creates files under a random name exclusively (flag wx: never through a link) at 0600 in ' +
    'a folder it has checked itself (S88), besides the CLI checking it with the library (S80)',
  'packages/tokenloop/src/http/http-client.ts':
    'imports fs only on Node 20 to read the CA bundle NODE_EXTRA_CA_CERTS names, as Node itself does; writes nothing',
  'packages/cli/src/fast-path/write-out.ts':
    "writes the token fast path's answer to standard output or error (descriptors 1 and 2) with writeSync, " +
    'without creating process.stdout; it opens no file',
};

const READERS: Record<string, string> = {
  'packages/tokenloop/src/private-files/read-private-file.ts':
    'the one safe reader: O_NOFOLLOW|O_NONBLOCK, regular file, owner and mode checked (S81–S83)',
  'packages/tokenloop/src/private-files/atomic-write.ts':
    'opens a folder (O_DIRECTORY) only to fsync it after a rename; reads no file',
  'packages/cli/src/commands/agent/agent-build.ts':
    "the command line's own installed bundle (dist/fast/token.cjs), hashed to name its build: code shipped with the package, not a file tokenloop keeps",
  'packages/cli/src/client/make-client.ts':
    'the client certificate file the user names (AZURE_CLIENT_CERTIFICATE_PATH): their choice, not a file tokenloop keeps',
  'packages/cli/src/commands/decode/run-decode.ts': 'the token on standard input (file descriptor 0)',
  'packages/cli/src/fast-path/start.ts':
    "the command line's own bundled code (dist/fast/token.cjs), read to compile it with its code cache as Node " +
    'reads any module; the code cache itself is read with readPrivateFileSync (S127)',
  'packages/emulator/src/directory/load.ts': 'the directory config file the user names with --config',
  'packages/emulator/src/keys/private-files.ts':
    'the emulator cannot use the library (dependency profiles); its own reader opens with O_NOFOLLOW|O_NONBLOCK ' +
    'and checks type, owner and mode on the open file (S88), besides the CLI checking the folder (S80)',
};

const WRITE_CALLS = [
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'createWriteStream',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'truncate',
  'truncateSync',
  'write',
  'writeSync',
  'writev',
  'writevSync',
];
const READ_CALLS = ['readFile', 'readFileSync', 'createReadStream', 'read', 'readSync', 'readv', 'readvSync'];
const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_APPEND|O_TRUNC|['"`][^'"`]*[wa+][^'"`]*['"`]/;

/** The code of a file without its comments (block comments, and lines that are only a comment). */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Uses {
  writes: string[];
  reads: string[];
}

/** The node:fs functions a file calls that write or read files (through named imports or a namespace). */
function fileSystemUses(text: string): Uses {
  const uses: Uses = { writes: [], reads: [] };
  const fsModule = `['"](?:node:)?fs(?:/promises)?['"]`;
  if (new RegExp(`(?:import|require)\\s*\\(\\s*${fsModule}`).test(text))
    uses.writes.push('dynamic import of fs');
  const names = new Map<string, string>(); // local name -> fs function
  const namespaces: string[] = [];
  for (const m of text.matchAll(new RegExp(`import\\s+([^;]+?)\\s+from\\s+${fsModule}`, 'g'))) {
    const clause = m[1]!;
    const named = /\{([^}]*)\}/.exec(clause)?.[1];
    for (const part of named?.split(',') ?? []) {
      const [imported, local] = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .map((s) => s.trim());
      if (!imported) continue;
      if (imported === 'promises') namespaces.push(local ?? imported);
      else names.set(local ?? imported, imported);
    }
    const whole = clause.replace(/\{[^}]*\}/, '').replace(/\*\s+as\s+/, '');
    for (const name of whole.split(',').map((s) => s.trim()))
      if (/^[A-Za-z_$][\w$]*$/.test(name)) namespaces.push(name);
  }
  const calls: { fn: string; args: string }[] = [];
  for (const [local, fn] of names) {
    for (const m of text.matchAll(new RegExp(`(?<![\\w$.])${escape(local)}\\s*\\(([^;]*)`, 'g')))
      calls.push({ fn, args: m[1]! });
  }
  for (const ns of namespaces) {
    for (const m of text.matchAll(
      new RegExp(`(?<![\\w$.])${escape(ns)}\\s*\\.\\s*(?:promises\\s*\\.\\s*)?(\\w+)\\s*\\(([^;]*)`, 'g'),
    ))
      calls.push({ fn: m[1]!, args: m[2]! });
  }
  for (const { fn, args } of calls) {
    if (WRITE_CALLS.includes(fn)) uses.writes.push(fn);
    if (READ_CALLS.includes(fn)) uses.reads.push(fn);
    if (fn === 'open' || fn === 'openSync') {
      const flags = flagsText(text, args);
      if (WRITE_FLAGS.test(flags)) uses.writes.push(`${fn} for writing`);
      else uses.reads.push(`${fn} for reading`);
    }
  }
  return uses;
}

/** The text of an open() call's flags argument, following one constant defined in the same file. */
function flagsText(text: string, args: string): string {
  const second = args.split(',')[1]?.trim() ?? '';
  const constant = /^([A-Z_][A-Z0-9_]*)\b/.exec(second)?.[1];
  if (!constant) return second;
  return new RegExp(`const\\s+${constant}\\s*=([^;]*);`).exec(text)?.[1] ?? second;
}

const FILES = packageSourceFiles(ROOT);

/**
 * The package sources that use the file system one way (`pick`), against its allow-list with reasons: no source
 * outside the list (`fix` says what to do), and no source on it that no longer does (`stale`).
 */
function checkAllowList(
  pick: (uses: ReturnType<typeof fileSystemUses>) => string[],
  allowed: Record<string, string>,
  fix: string,
  stale: string,
): void {
  const found = new Map<string, string[]>();
  for (const path of FILES) {
    const calls = pick(fileSystemUses(code(path)));
    if (calls.length > 0) found.set(relative(ROOT, path).replaceAll('\\', '/'), calls);
  }
  assert.deepEqual(
    [...found].filter(([path]) => !(path in allowed)),
    [],
    fix,
  );
  for (const path of Object.keys(allowed)) assert.ok(found.has(path), `${path} ${stale}`);
}

test('S84 no package source writes a file except through the one atomic writer (allow-list with reasons)', () => {
  assert.ok(FILES.length > 100, `found the sources (${FILES.length})`);
  checkAllowList(
    (uses) => uses.writes,
    WRITERS,
    'write private files with writePrivateFile (tokenloop/private-files), or add the file to WRITERS with why not',
    'no longer writes: drop it from WRITERS',
  );
});

test('S81 no package source reads a file except through the one safe reader (allow-list with reasons)', () => {
  checkAllowList(
    (uses) => uses.reads,
    READERS,
    'read private files with readPrivateFile (tokenloop/private-files), or add the file to READERS with why not',
    'no longer reads: drop it from READERS',
  );
});

test('S84 the source scan sees what it must: writers and readers in every form the packages could use', () => {
  const sample = [
    "import { writeFile as wf, readFileSync } from 'node:fs';",
    "import { promises as pfs } from 'fs';",
    "import * as nfs from 'node:fs/promises';",
    'const CREATE = constants.O_CREAT | constants.O_WRONLY;',
    "await wf(path, 'x');",
    'readFileSync(path);',
    'await pfs.appendFile(path, x);',
    "await nfs.open(path, 'a');",
    'await nfs.open(path, CREATE);',
    "await nfs.open(path, 'r');",
  ].join('\n');
  assert.deepEqual(fileSystemUses(sample), {
    writes: ['writeFile', 'appendFile', 'open for writing', 'open for writing'],
    reads: ['readFileSync', 'open for reading'],
  });
  assert.deepEqual(fileSystemUses("const fs = await import('node:fs');").writes, ['dynamic import of fs']);
});
