// Issue 16: the RFC 6750 bearer-token syntax (b64token = RFC 9110 token68) is one function, isBearerTokenSyntax
// in model/token-syntax.ts, exported from `tokenloop` and `tokenloop/client`. The library checks received tokens
// with it, the CLI the tokens it writes or reads (quote.ts, mail test), the web package the tokens it is sent
// (checkBearer). The emulator keeps its own single copy (it shares no protocol logic with the client packages).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { isBearerTokenSyntax, isScopeToken, MAX_TOKEN_LENGTH } from 'tokenloop';
import * as client from 'tokenloop/client';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';

const PACKAGES = join(import.meta.dirname, '..', '..', '..');

/** Every .ts file under packages/NAME/src, with comments removed. */
function sources(name: string): Array<{ file: string; text: string }> {
  return sourceFiles(join(PACKAGES, name, 'src'), { names: TS_NAME }).map((path) => ({
    file: relative(PACKAGES, path).split('\\').join('/'),
    text: readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''),
  }));
}

// [input, accepted]: RFC 6750 §2.1 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
const TABLE: Array<[unknown, boolean]> = [
  ['abc', true],
  ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', true],
  ['AZaz09-._~+/', true],
  ['abc=', true],
  ['abc===', true],
  ['', false],
  ['=', false],
  ['ab=c', false],
  ['ab c', false],
  [' abc', false],
  ['abc\n', false],
  ['ab,c', false],
  ['ab"c', false],
  ['ab\\c', false],
  ['ab%41', false],
  ['abç', false],
  ['ab\u0000', false],
  ['a'.repeat(MAX_TOKEN_LENGTH), true],
  ['a'.repeat(MAX_TOKEN_LENGTH + 1), false],
  [undefined, false],
  [42, false],
];

test('S211 the bearer-token rule, as a table', () => {
  for (const [input, accepted] of TABLE)
    assert.equal(
      isBearerTokenSyntax(input),
      accepted,
      typeof input === 'string' ? JSON.stringify(input.slice(0, 20)) : String(input),
    );
});

test('S211 tokenloop/client exports the same rule (the CLI fast path reads it there)', () => {
  assert.equal(client.isBearerTokenSyntax, isBearerTokenSyntax);
  assert.equal(client.MAX_TOKEN_LENGTH, MAX_TOKEN_LENGTH);
});

/** The b64token character class, however its characters are ordered or escaped. */
const B64TOKEN_CLASS = /\[(?=[^\]]*A-Z)(?=[^\]]*a-z)(?=[^\]]*0-9)(?=[^\]]*~)(?=[^\]]*\+)[^\]]*\]\+?=\*/;

test('S211 sweep: no second copy of the bearer-token syntax in the client packages, one in the emulator', () => {
  const copies = ['tokenloop', 'web', 'cli']
    .flatMap((p) => sources(p))
    .filter(({ text }) => B64TOKEN_CLASS.test(text))
    .map(({ file }) => file);
  assert.deepEqual(copies, ['tokenloop/src/model/token-syntax.ts']);
  const emulator = sources('emulator')
    .filter(({ text }) => B64TOKEN_CLASS.test(text))
    .map(({ file }) => file);
  assert.equal(emulator.length, 1, `the emulator's own copy: ${emulator.join(', ')}`);
});

/** The RFC 6749 scope-token character class `%x21 / %x23-5B / %x5D-7E`, as a regular expression writes it. */
const SCOPE_TOKEN_CLASS = /\\x21\\x23-\\x5b\\x5d-\\x7e/i;

test('the scope-token rule is one function, isScopeToken, exported from tokenloop: no copy in the client packages', () => {
  assert.equal(isScopeToken('Mail.Read'), true);
  assert.equal(isScopeToken('a b'), false);
  assert.equal(isScopeToken('a"b'), false);
  assert.equal(isScopeToken('a\\b'), false);
  assert.equal(isScopeToken('a'.repeat(200)), true);
  assert.equal(isScopeToken('a'.repeat(201)), false);
  assert.equal(isScopeToken(''), false);
  const copies = ['tokenloop', 'web', 'cli']
    .flatMap((p) => sources(p))
    .filter(({ text }) => SCOPE_TOKEN_CLASS.test(text))
    .map(({ file }) => file);
  assert.deepEqual(copies, ['tokenloop/src/model/scope-syntax.ts']);
});
