// Issue 16: rules that live in one function of the library, and sweeps that find a copy written again beside it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The files of one source folder with their text, comments removed. */
function folder(name: string): Array<{ file: string; text: string }> {
  return readdirSync(join(SRC, name))
    .filter((f) => f.endsWith('.ts'))
    .map((file) => ({
      file,
      text: readFileSync(join(SRC, name, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''),
    }));
}

const TOKEN_REQUESTS =
  /\b(?:authorizationCodeGrantRequest|refreshTokenGrantRequest|clientCredentialsGrantRequest|deviceCodeGrantRequest|genericTokenEndpointRequest)\(/;

test('S28 sweep: every grant sends its token request through requestTokens, so every token response is checked by processTokenResponse', () => {
  const found: string[] = [];
  for (const { file, text } of folder('flows')) {
    if (file === 'token-endpoint.ts') continue;
    if (/\bprocessTokenResponse\(/.test(text)) found.push(`${file}: calls processTokenResponse itself`);
    if (TOKEN_REQUESTS.test(text) && !/\brequestTokens\(/.test(text))
      found.push(`${file}: a token request outside requestTokens`);
  }
  assert.deepEqual(found, []);
  assert.ok(
    folder('flows').filter(({ text }) => /\brequestTokens\(/.test(text)).length >= 5,
    'the five grants were read',
  );
});

test('S109 sweep: the client makes its silent acquirers only through clientAcquirer, so each renews with the client settings (store, scopes, refresh-ahead)', () => {
  const found = folder('client')
    .filter(({ file, text }) => file !== 'client-acquirer.ts' && /\bcreateSilentAcquirer\(/.test(text))
    .map(({ file }) => file);
  assert.deepEqual(found, []);
});
