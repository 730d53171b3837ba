// Issue 16: the emulator's "is this the loopback" is one module, src/http/loopback.ts (its own copy: the emulator
// shares no protocol logic with the client packages). The listen check, the admin and managed identity guards
// (caller address and Host header), the federation fetch, the origin check and the local CA's names all ask it;
// Entra's narrower loopback redirect rule (localhost and 127.0.0.1) is directory/redirect-uri.ts's alone. A table,
// the listen check over it, and a sweep for a loopback rule written anywhere else in the emulator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { remoteHostRefusal } from '@tokenloop/emulator';
import { isLoopbackAddress, isLoopbackHost } from '../src/http/loopback.js';
import { isWithinLocalCa } from '../src/http/loopback-names.js';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.ts';

/** [input, a loopback address, a loopback host]. */
const TABLE: Array<[string, boolean, boolean]> = [
  ['127.0.0.1', true, true],
  ['127.0.0.2', true, true],
  ['127.255.255.254', true, true],
  ['::1', true, true],
  ['[::1]', true, true],
  ['0:0:0:0:0:0:0:1', true, true],
  ['::ffff:127.0.0.1', true, true],
  ['::FFFF:127.9.8.7', true, true],
  ['[::ffff:7f00:1]', true, true],
  ['localhost', false, true],
  ['LOCALHOST', false, true],
  ['app.localhost', false, false],
  ['localhost.example.com', false, false],
  ['128.0.0.1', false, false],
  ['10.0.0.1', false, false],
  ['0.0.0.0', false, false],
  ['::', false, false],
  ['::ffff:10.0.0.1', false, false],
  ['::127.0.0.1', false, false],
  ['fe80::1', false, false],
  ['::1%lo', false, false],
  ['127.0.0.256', false, false],
  ['127.1', false, false],
  ['0x7f.0.0.1', false, false],
  ['', false, false],
];

test('S213 the emulator loopback rules, as a table; the listen check follows isLoopbackHost', () => {
  for (const [input, address, host] of TABLE) {
    assert.equal(isLoopbackAddress(input), address, `isLoopbackAddress(${JSON.stringify(input)})`);
    assert.equal(isLoopbackHost(input), host, `isLoopbackHost(${JSON.stringify(input)})`);
    assert.equal(
      remoteHostRefusal(input, false) === undefined,
      host,
      `remoteHostRefusal(${JSON.stringify(input)})`,
    );
    assert.equal(remoteHostRefusal(input, true), undefined);
  }
  assert.equal(isLoopbackAddress(undefined), false);
});

test('S213 the local CA vouches for the loopback hosts and the names below localhost, nothing else', () => {
  // Its name constraints are localhost, *.localhost, 127.0.0.0/8 and ::1/128: no IPv4-mapped address.
  const mapped = (h: string) => /ffff/i.test(h);
  for (const [input, , host] of TABLE)
    assert.equal(
      isWithinLocalCa(input),
      (host && !mapped(input)) || input.endsWith('.localhost'),
      JSON.stringify(input),
    );
  assert.equal(isWithinLocalCa('::ffff:127.0.0.1'), false);
  assert.equal(isWithinLocalCa('0:0:0:0:0:0:0:1'), true);
});

test('S213 listening on ::ffff:127.0.0.1 is loopback (the caller check already took that address)', () => {
  assert.equal(remoteHostRefusal('::ffff:127.0.0.1', false), undefined);
});

/** A loopback rule written out: a 127 pattern, a comparison with or a list of the loopback names. */
const RULE_WRITTEN = [
  /127\\\.|127\(\?:\\\.|127\(\\\.|'127\.'/,
  /[=!]==\s*'(?:\[::1\]|::1|localhost)'/,
  /'(?:\[::1\]|::1|localhost)'\s*[=!]==/,
  /\[[^\]]*'(?:localhost|127\.0\.0\.1|\[::1\]|::1)'[^\]]*\]\)?\.(?:includes|indexOf|has)\(/,
  /new Set\(\[[^\]]*'(?:localhost|127\.0\.0\.1|\[::1\]|::1)'/,
  /startsWith\('(?:::ffff:)?127/,
];

/** Files allowed to name loopback hosts, each for a rule that is not "is this the loopback". */
const ALLOWED: Record<string, string> = {
  'src/http/loopback.ts': 'the rule',
  'src/directory/redirect-uri.ts':
    "Entra's loopback redirect URIs: exactly localhost and 127.0.0.1 (its fidelity)",
  'src/keys/thumbprints.ts': 'writes ::1 as a certificate spells it, to compare names',
};

test('S213 sweep: the emulator writes the loopback rule in one module only', () => {
  const root = join(import.meta.dirname, '..');
  const found: string[] = [];
  for (const path of sourceFiles(join(root, 'src'), { names: TS_NAME })) {
    const file = relative(root, path).split('\\').join('/');
    const text = readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
    if (!(file in ALLOWED) && RULE_WRITTEN.some((r) => r.test(text))) found.push(file);
  }
  assert.deepEqual(found, []);
});
