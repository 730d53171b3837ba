// S211: the SASL strings of tokenloop/mail (xoauth2, oauthBearer) take the access token by the library's one
// RFC 6750 rule, isBearerTokenSyntax, as every other place that writes a token does. Their old check only refused
// empty tokens, spaces and control characters, so a token with a comma, a quote, "=" inside or a non-ASCII letter
// went into the SASL string. Now every token the rule refuses is refused alike, and never repeated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TOKEN_LENGTH, TokenloopError } from 'tokenloop';
import { oauthBearer, xoauth2 } from 'tokenloop/mail';

const USER = 'alice@example.test';

const BUILDERS: Record<string, (token: string) => string> = {
  xoauth2: (token) => xoauth2(USER, token),
  oauthBearer: (token) => oauthBearer(USER, token, { host: 'imap.example.test', port: 993 }),
};

/** Refused before: empty, a space, a control character. */
const REFUSED_BEFORE: Record<string, string> = {
  empty: '',
  'a space': 'abc def',
  'a newline': 'abc\ndef',
};

/** Accepted by the old check, refused by RFC 6750 `b64token`. */
const ACCEPTED_BEFORE: Record<string, string> = {
  'a comma': 'abc,def',
  'a double quote': 'abc"def',
  '"=" before the end': 'ab=cd',
  'a percent escape': 'ab%41',
  'a non-ASCII letter': 'tōken',
  'longer than MAX_TOKEN_LENGTH': 'a'.repeat(MAX_TOKEN_LENGTH + 1),
};

/** The refusal: its class, code and message (the message must not repeat the token). */
function refusalOf(build: () => string, token: string): { code: string; message: string } {
  try {
    build();
  } catch (err) {
    assert.ok(err instanceof TokenloopError, `a TokenloopError, not ${String(err)}`);
    if (token.length >= 3) assert.ok(!err.message.includes(token), 'the token is not repeated');
    return { code: err.code, message: err.message };
  }
  return assert.fail('the token was accepted');
}

describe('S211: xoauth2 and oauthBearer take the token by the one bearer-token rule', () => {
  for (const [name, build] of Object.entries(BUILDERS)) {
    const reference = refusalOf(() => build(REFUSED_BEFORE['a space']!), REFUSED_BEFORE['a space']!);

    it(`S211 ${name}: tokens refused before are still refused, all alike`, () => {
      assert.equal(reference.code, 'INVALID_ARGUMENT');
      for (const [label, token] of Object.entries(REFUSED_BEFORE))
        assert.deepEqual(
          refusalOf(() => build(token), token),
          reference,
          label,
        );
    });

    it(`S211 ${name}: a token only RFC 6750 refuses is refused as the others are`, () => {
      for (const [label, token] of Object.entries(ACCEPTED_BEFORE))
        assert.deepEqual(
          refusalOf(() => build(token), token),
          reference,
          label,
        );
    });

    it(`S211 ${name}: every b64token character, padding, and the longest token still go through`, () => {
      for (const token of [
        'AZaz09-._~+/==',
        'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
        'a'.repeat(MAX_TOKEN_LENGTH),
      ])
        assert.match(build(token), /^[A-Za-z0-9+/]+=*$/);
    });
  }
});
