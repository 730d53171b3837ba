// S169: the web package's errors are one family rooted in the library's TokenloopError (a program tells them by
// class or by the library's codes, as it does the library's), configuration mistakes are WebAuthConfigError
// wherever they are found (the bearer side too, never a TypeError), and one module maps errors to HTTP statuses.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import {
  InvalidTokenError,
  SignInRequiredError,
  WebAuthConfigError,
  createAccessTokenVerifier,
} from '@tokenloop/web';
import { TokenloopError } from 'tokenloop';

const SRC = join(import.meta.dirname, '..', 'src');

it("S169 the web errors are TokenloopErrors with the library's codes", () => {
  const table: Array<[TokenloopError, string, string]> = [
    [new WebAuthConfigError('m'), 'WebAuthConfigError', 'CONFIGURATION'],
    [new InvalidTokenError('m'), 'InvalidTokenError', 'TOKEN_VALIDATION'],
    [new SignInRequiredError('m', '/login'), 'SignInRequiredError', 'INTERACTION_REQUIRED'],
  ];
  for (const [err, name, code] of table) {
    assert.ok(err instanceof TokenloopError, name);
    assert.equal(err.name, name);
    assert.equal(err.code, code, name);
  }
});

it('S169 every configuration mistake of createAccessTokenVerifier is a WebAuthConfigError', () => {
  const issuer = 'https://127.0.0.1:1';
  const bad: Array<[string, () => unknown]> = [
    ['no audience', () => createAccessTokenVerifier({ issuer, audience: [] })],
    [
      'no asymmetric algorithm',
      () => createAccessTokenVerifier({ issuer, audience: 'api', algorithms: ['HS256'] }),
    ],
    [
      'an unknown option',
      () => createAccessTokenVerifier({ issuer, audience: 'api', audiance: 'x' } as never),
    ],
    [
      'untyped tokens on Entra',
      () =>
        createAccessTokenVerifier({
          authority: 'https://login.microsoftonline.com/3c8f2a1e-5b7d-4e9a-9c0f-2d6b8e4a1f73',
          audience: 'api',
          allowUntypedAccessTokens: true,
        }),
    ],
  ];
  for (const [what, build] of bad) assert.throws(build, WebAuthConfigError, what);
});

it('S169 sweep: the web sources declare errors only in web-errors.ts and map them to HTTP statuses only there', () => {
  const found: string[] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file === 'web-errors.ts') continue;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const copy of [/extends Error\b/, /new TypeError\(/, /new TokenloopError\(/, /isTransient\(/])
      if (copy.test(text)) found.push(`${file}: ${String(copy)}`);
  }
  assert.deepEqual(found, []);
});
