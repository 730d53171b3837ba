// Small rules the client packages share: each has one home in the library, exported from `tokenloop`, and a
// sweep finds no copy of it in tokenloop, @tokenloop/web or the CLI (the emulator keeps its own on purpose).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { escapeHtml, isBase64url } from 'tokenloop';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';

const PACKAGES = join(import.meta.dirname, '..', '..', '..');

/** The client packages' .ts files under src that match `pattern`, comments removed. */
function filesWith(pattern: RegExp): string[] {
  return ['tokenloop', 'web', 'cli']
    .flatMap((name) => sourceFiles(join(PACKAGES, name, 'src'), { names: TS_NAME }))
    .filter((path) => pattern.test(readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
    .map((path) => relative(PACKAGES, path).split('\\').join('/'));
}

test('HTML escaping is one function, escapeHtml: & < > " \' become character references', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
  );
  assert.equal(escapeHtml('plain text'), 'plain text');
  assert.deepEqual(filesWith(/\[&<>"'\]/), ['tokenloop/src/text/html-escape.ts']);
});

test('the strict base64url check is one function, isBase64url: the alphabet only, no padding or whitespace', () => {
  assert.equal(isBase64url('eyJhbGciOiJub25lIn0'), true);
  assert.equal(isBase64url('AZaz09-_'), true);
  assert.equal(isBase64url(''), true);
  for (const text of ['abc=', 'ab+c', 'ab/c', 'ab c', 'abc\n', 'ab.c', 'abç'])
    assert.equal(isBase64url(text), false, JSON.stringify(text));
  assert.equal(isBase64url(undefined), false);
  assert.deepEqual(filesWith(/\^\[A-Za-z0-9_-\]\*\$/), ['tokenloop/src/text/base64url.ts']);
});
