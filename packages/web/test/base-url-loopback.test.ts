// Issue 16: a plain-http baseUrl is allowed on the loopback only, by the library's one rule (isLoopbackHost,
// S210), the rule the library's URL policy uses for authorities and endpoints. A table of base URLs through the
// options check: http is accepted exactly where the rule says, https everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost } from 'tokenloop';
import { checkWebOptions } from '../src/options.js';

const options = (baseUrl: string) => ({
  authority: 'https://login.microsoftonline.com/organizations',
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'not-a-real-secret',
  baseUrl,
});

const accepted = (baseUrl: string) => {
  try {
    checkWebOptions(options(baseUrl));
    return true;
  } catch (err) {
    assert.match((err as Error).message, /baseUrl must be https/);
    return false;
  }
};

test('S210 baseUrl: plain http exactly on the hosts the library calls loopback', () => {
  const hosts = [
    '127.0.0.1:3000',
    'localhost:3000',
    'LOCALHOST',
    '[::1]:3000',
    '127.0.0.2:3000',
    '[::ffff:127.0.0.1]',
    'app.localhost',
    'localhost.example.com',
    '10.0.0.1',
    'example.com',
  ];
  for (const host of hosts) {
    const url = new URL(`http://${host}`);
    assert.equal(accepted(url.origin), isLoopbackHost(url.hostname), url.origin);
    assert.equal(accepted(`https://${host}`), true, `https://${host}`);
  }
});

test('S210 http://127.0.0.2 (127.0.0.0/8 is all loopback) is a development baseUrl like 127.0.0.1, with cookies not Secure', () => {
  const checked = checkWebOptions(options('http://127.0.0.2:3000'));
  assert.equal(checked.origin, 'http://127.0.0.2:3000');
  assert.equal(checked.secureCookies, false);
});
