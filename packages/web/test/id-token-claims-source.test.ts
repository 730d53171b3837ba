// S161: the web layer takes who signed in from the library's validated result (AuthResult.idTokenClaims), never
// by decoding a token itself: outside the files below (each for its reason), no source of packages/web/src decodes
// a JWT unverified (jose's decodeJwt) or turns base64url text into JSON. A source scan.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { TS_NAME, sourceFiles } from '../../tokenloop/test/support/package-sources.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** Files that decode tokens or parse JSON out of base64url text, and why that is not trusting an unverified token. */
const ALLOWED: Record<string, string> = {
  'session/session-seal.ts': 'the session sealer: it parses a value only after AES-GCM authenticated it',
};

test('S161 no web source decodes a token unverified; ID-token claims come from the validated AuthResult', () => {
  const findings: string[] = [];
  for (const file of sourceFiles(SRC, { names: TS_NAME })) {
    const name = relative(SRC, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    if (name in ALLOWED) continue;
    if (/\bdecodeJwt\b/.test(text)) findings.push(`${name}: decodeJwt (an unverified decode)`);
    if (/base64url|atob\(/.test(text) && /JSON\.parse\(/.test(text))
      findings.push(`${name}: parses JSON out of base64url text`);
  }
  assert.deepEqual(findings, []);
  const callback = readFileSync(join(SRC, 'session', 'sign-in-callback.ts'), 'utf8');
  assert.match(callback, /\.idTokenClaims\b/, 'the sign-in callback reads the validated claims');
});
