// Issue 16: checkBearer reads the token with the library's one RFC 6750 rule (isBearerTokenSyntax), the rule the
// library applies to tokens it receives and the CLI to tokens it writes. A table of Authorization headers, each
// run through checkBearer with a verifier that accepts anything: only what the rule accepts reaches it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccessTokenVerifier, checkBearer } from '@tokenloop/web';
import { isBearerTokenSyntax, MAX_TOKEN_LENGTH } from 'tokenloop';

const longest = 'a'.repeat(MAX_TOKEN_LENGTH);
const tooLong = 'a'.repeat(MAX_TOKEN_LENGTH + 1);

/** [label, token after `Bearer `]: every class of b64token character, padding, and what breaks the syntax. */
const TOKENS: Array<[string, string]> = [
  ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  ['every allowed character', 'AZaz09-._~+/'],
  ['padding at the end', 'abc=='],
  ['padding only', '=='],
  ['padding inside', 'ab=c'],
  ['a comma', 'ab,c'],
  ['a quote', 'ab"c'],
  ['a space inside', 'ab c'],
  ['a tab inside', 'ab\tc'],
  ['a non-ASCII letter', 'abç'],
  ['the longest allowed', longest],
  ['one character longer than allowed', tooLong],
];

describe('S211: checkBearer accepts exactly the tokens the library rule accepts', () => {
  const seen: string[] = [];
  const verifier: AccessTokenVerifier = {
    verify: async (token) => {
      seen.push(token);
      return { scp: 'read' };
    },
  };
  for (const [label, token] of TOKENS) {
    const valid = isBearerTokenSyntax(token);
    it(`S211 Bearer ${label}: ${valid ? 'verified' : '400 invalid_request, never verified'}`, async () => {
      seen.length = 0;
      const out = await checkBearer(verifier, {
        authorization: `Bearer ${token}`,
        tokenInQuery: false,
        tokenInBody: false,
      });
      if (valid) {
        assert.equal(out.ok, true);
        assert.deepEqual(seen, [token]);
      } else {
        assert.equal(out.ok, false);
        assert.equal(!out.ok && out.status, 400);
        assert.equal(!out.ok && out.error, 'invalid_request');
        assert.deepEqual(seen, []);
      }
    });
  }

  it('S211 the scheme is case-insensitive and may be followed by several spaces (RFC 6750 §2.1, 1*SP)', async () => {
    for (const header of ['bearer abc', 'BEARER abc', 'Bearer   abc']) {
      const out = await checkBearer(verifier, {
        authorization: header,
        tokenInQuery: false,
        tokenInBody: false,
      });
      assert.equal(out.ok, true, header);
    }
  });

  it('S211 a token longer than the library ever accepts is a malformed request (400), not a token to verify', async () => {
    seen.length = 0;
    const out = await checkBearer(verifier, {
      authorization: `Bearer ${tooLong}`,
      tokenInQuery: false,
      tokenInBody: false,
    });
    assert.equal(!out.ok && out.status, 400);
    assert.deepEqual(seen, []);
  });
});
