// Issue 16: "is this the loopback" lives in one module of the library, http/loopback.ts, exported from
// `tokenloop`: isLoopbackAddress (an address literal: a socket's peer, a listen address) and isLoopbackHost (a
// host plain http may go to, RFC 8252 §8.3: the loopback addresses and `localhost`). The library's URL policy,
// the web package's baseUrl check and the CLI (mail transport guard, mail proxy listen address, TLS fix) ask
// it; a sweep finds a rule written again anywhere in the client packages. The emulator keeps its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { isLoopbackAddress, isLoopbackHost } from 'tokenloop';
import { assertUrlAllowed } from '../../src/http/url-policy.js';
import { TS_NAME, sourceFiles } from '../support/package-sources.js';

/** [input, an address of this machine's loopback, a host plain http may go to]. */
const TABLE: Array<[string, boolean, boolean]> = [
  ['127.0.0.1', true, true],
  ['127.0.0.2', true, true],
  ['127.255.255.254', true, true],
  ['127.1.2.3', true, true],
  ['::1', true, true],
  ['[::1]', true, true],
  ['0:0:0:0:0:0:0:1', true, true],
  ['0000:0000::0001', true, true],
  ['::ffff:127.0.0.1', true, true],
  ['::FFFF:127.9.8.7', true, true],
  ['[::ffff:7f00:1]', true, true],
  ['::ffff:7fff:ffff', true, true],
  ['localhost', false, true],
  ['LocalHost', false, true],
  ['[localhost]', false, false],
  ['localhost.', false, false],
  ['app.localhost', false, false],
  ['localhost.example.com', false, false],
  ['127.0.0.1.example.com', false, false],
  ['128.0.0.1', false, false],
  ['126.255.255.255', false, false],
  ['10.0.0.1', false, false],
  ['0.0.0.0', false, false],
  ['::', false, false],
  ['::2', false, false],
  ['::127.0.0.1', false, false],
  ['::ffff:128.0.0.1', false, false],
  ['::ffff:8000:1', false, false],
  ['64:ff9b::127.0.0.1', false, false],
  ['fe80::1', false, false],
  ['::1%lo', false, false],
  ['1::1', false, false],
  ['::1::1', false, false],
  ['127.0.0.256', false, false],
  ['127.0.0.01', false, false],
  ['127.1', false, false],
  ['0177.0.0.1', false, false],
  ['0x7f.0.0.1', false, false],
  ['2130706433', false, false],
  [' 127.0.0.1', false, false],
  ['127.0.0.1 ', false, false],
  ['', false, false],
];

test('S210 the loopback rules, as a table: an address of this machine, a host plain http may go to', () => {
  for (const [input, address, host] of TABLE) {
    assert.equal(isLoopbackAddress(input), address, `isLoopbackAddress(${JSON.stringify(input)})`);
    assert.equal(isLoopbackHost(input), host, `isLoopbackHost(${JSON.stringify(input)})`);
  }
  assert.equal(isLoopbackAddress(undefined), false);
});

test('S210 plain http is allowed exactly to the hosts isLoopbackHost accepts, as a URL names them', () => {
  const urls = [
    'http://127.0.0.1:8400/',
    'http://127.0.0.2/',
    'http://localhost:3000/',
    'http://LOCALHOST/',
    'http://[::1]:8400/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f.1/', // the URL parser writes it 127.0.0.1
    'http://2130706433/', // the URL parser writes it 127.0.0.1
    'http://127.0.0.1.nip.io/',
    'http://localhost.example.com/',
    'http://app.localhost/',
    'http://10.0.0.1/',
    'http://[::ffff:10.0.0.1]/',
    'http://[fe80::1]/',
    'http://example.com/',
  ];
  for (const text of urls) {
    const url = new URL(text);
    const allowed = (() => {
      try {
        assertUrlAllowed(url, 'the test URL');
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(allowed, isLoopbackHost(url.hostname), text);
  }
});

test('S210 an IPv4-mapped loopback URL (http://[::ffff:127.0.0.1]/) is loopback for the URL policy too', () => {
  assert.doesNotThrow(() => assertUrlAllowed(new URL('http://[::ffff:127.0.0.1]:8400/'), 'the authority'));
  assert.throws(() => assertUrlAllowed(new URL('http://[::ffff:10.0.0.1]/'), 'the authority'), /https/);
});

const PACKAGES = join(import.meta.dirname, '..', '..', '..');

/** A loopback rule written out: a 127 pattern, a comparison with or a list of the loopback names. */
const RULE_WRITTEN = [
  /127\\\.|127\(\?:\\\.|127\(\\\.|'127\.'/,
  /[=!]==\s*'(?:\[::1\]|::1|localhost)'/,
  /'(?:\[::1\]|::1|localhost)'\s*[=!]==/,
  /\[[^\]]*'(?:localhost|127\.0\.0\.1|\[::1\]|::1)'[^\]]*\]\)?\.(?:includes|indexOf|has)\(/,
  /new Set\(\[[^\]]*'(?:localhost|127\.0\.0\.1|\[::1\]|::1)'/,
  /startsWith\('(?:::ffff:)?127/,
];

function filesWithRule(pkg: string): string[] {
  return sourceFiles(join(PACKAGES, pkg, 'src'), { names: TS_NAME })
    .filter((path) => {
      const text = readFileSync(path, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
      return RULE_WRITTEN.some((r) => r.test(text));
    })
    .map((path) => relative(PACKAGES, path).split('\\').join('/'));
}

test('S210 sweep: the client packages write the loopback rule in one module only', () => {
  const found = ['tokenloop', 'web', 'cli'].flatMap(filesWithRule);
  assert.deepEqual(found, ['tokenloop/src/http/loopback.ts']);
});
