// Token syntax at receipt (finding 5 of the security review): what a provider returns as access_token must be an
// RFC 6750 b64token (the only thing that can follow "Bearer " in a header) and refresh tokens RFC 6749 VSCHARs,
// both of a sane length — checked in the one place token responses are parsed, for every grant (S72), and for
// accounts brought in with importAccount. The refusal blames the provider and never repeats the value.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type TokenClient, createTokenClient } from 'tokenloop';
import { rejectsWith } from '../support/assertions.js';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';

/** The report's payload: `eval "$(tokenloop token --format env)"` would have run `touch`. */
const REPORTED = "x'; touch /nonexistent/tokenloop-pwned; : '";

const BAD_ACCESS_TOKENS: Record<string, string> = {
  'the reported shell payload': REPORTED,
  'a space': 'abc def',
  'a newline': 'abc\ndef',
  'CR LF and a header': 'abc\r\nSet-Cookie: a=b',
  'a double quote': 'abc"def',
  'a semicolon': 'abc;def',
  'command substitution': '$(id)',
  'a backquote': '`id`',
  'a non-ASCII letter': 'tōken',
  'a NUL': 'abc\u0000def',
  '"=" before the end': 'ab=cd',
  'only "="': '==',
  'longer than 32768 characters': 'A'.repeat(32_769),
};
const GOOD_ACCESS_TOKENS: Record<string, string> = {
  'a JWT': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_',
  'base64 with padding': 'ab+/cd==',
  'every b64token character': 'AZaz09-._~+/=',
  'exactly 32768 characters': 'A'.repeat(32_768),
};
const BAD_REFRESH_TOKENS: Record<string, string> = {
  'a newline': 'rt\nx',
  'a NUL': 'rt\u0000x',
  'a non-ASCII letter': 'rté',
  'longer than 32768 characters': 'R'.repeat(32_769),
};
/** Microsoft personal-account refresh tokens carry characters outside b64token: RFC 6749 allows any VSCHAR. */
const GOOD_REFRESH_TOKEN = 'M.C105_BAY.0.U.-Cj4!x*y$z';

describe('S72 token syntax is checked when tokens are received', () => {
  let p: ScriptedProvider;
  beforeEach(async () => {
    p = await startScriptedProvider();
  });
  afterEach(() => p.close());
  const client = (extra: object = {}) => createTokenClient({ issuer: p.url, clientId: p.clientId, ...extra });
  const answer = (extra: Record<string, unknown>) =>
    p.on('/token', async () => ({ body: await p.tokenResponse(extra) }));

  async function refusal(promise: Promise<unknown>, value: string): Promise<void> {
    const err = await rejectsWith(promise, 'INVALID_RESPONSE', /provider/);
    assert.ok(!err.message.includes(value), 'the value is not repeated');
    assert.ok(!(err.remediation ?? '').includes(value), 'the value is not repeated');
    assert.doesNotMatch(`${err.message} ${err.remediation ?? ''}`, /touch|pwned/);
  }

  /** Every grant that parses a token response, run against a provider that answers `extra` on /token. */
  const grants: Record<
    string,
    (extra: Record<string, unknown>) => Promise<{ c: TokenClient; run: Promise<unknown> }>
  > = {
    'authorization code': async (extra) => {
      const c = client();
      return { c, run: scriptedSignIn(p, c, { response: extra }) };
    },
    refresh: async (extra) => {
      const c = client();
      await scriptedSignIn(p, c);
      answer(extra);
      return { c, run: c.acquireTokenSilent({ scopes: ['read'], forceRefresh: true }) };
    },
    'device code': async (extra) => {
      const c = client();
      answer(extra);
      return { c, run: c.loginWithDeviceCode({ scopes: ['read'], onPrompt: () => {} }) };
    },
    'client credentials': async (extra) => {
      const c = client({ clientSecret: 'scripted-secret' });
      answer({ ...extra, id_token: undefined, refresh_token: undefined });
      return { c, run: c.acquireAppToken({ scopes: ['read'] }) };
    },
    'on-behalf-of': async (extra) => {
      const c = client({ clientSecret: 'scripted-secret' });
      answer({ ...extra, id_token: undefined });
      return { c, run: c.acquireTokenOnBehalfOf({ assertion: 'eyJ.incoming.token', scopes: ['read'] }) };
    },
  };

  for (const [grant, start] of Object.entries(grants)) {
    it(`S72 ${grant}: the reported access_token ${JSON.stringify(REPORTED)} is refused at receipt, nothing is stored`, async () => {
      const { c, run } = await start({ access_token: REPORTED });
      await refusal(run, REPORTED);
      const accounts = await c.getAccounts();
      for (const a of accounts) {
        const again = await c.acquireTokenSilent({ account: a, scopes: ['read'] });
        assert.ok(again.accessToken !== REPORTED, 'the hostile token was not cached');
      }
      if (grant !== 'refresh') assert.equal(accounts.length, 0, 'no account from a refused response');
    });
    it(`S72 ${grant}: a token_type that is not "bearer" is refused`, async () => {
      const { run } = await start({ token_type: "Bearer'; touch /nonexistent/pwned; : '" });
      await rejectsWith(run, 'INVALID_RESPONSE', /token_type|bearer/);
    });
  }

  for (const [what, value] of Object.entries(BAD_ACCESS_TOKENS)) {
    it(`S72 an access_token with ${what} is refused`, async () => {
      const { c, run } = await grants.refresh!({ access_token: value });
      await refusal(run, value);
      // The earlier token is still served; the refresh token was kept.
      const cached = await c.acquireTokenSilent({ scopes: ['read'] });
      assert.ok(cached.accessToken !== value && cached.fromCache, 'the previous token is kept');
    });
  }
  for (const [what, value] of Object.entries(GOOD_ACCESS_TOKENS)) {
    it(`S72 an access_token that is ${what} is accepted`, async () => {
      const { run } = await grants.refresh!({ access_token: value });
      const result = (await run) as { accessToken: string };
      assert.ok(result.accessToken === value, 'accepted as sent');
    });
  }
  for (const [what, value] of Object.entries(BAD_REFRESH_TOKENS)) {
    it(`S72 a refresh_token with ${what} is refused`, async () => {
      const { run } = await grants.refresh!({ refresh_token: value });
      await refusal(run, value);
    });
  }
  it('S72 a refresh_token with characters outside b64token but within RFC 6749 (a personal Microsoft account) is accepted', async () => {
    const c = client();
    await scriptedSignIn(p, c, { response: { refresh_token: GOOD_REFRESH_TOKEN } });
    const exported = JSON.parse(await c.exportAccount((await c.getAccounts())[0]!)) as {
      record: { refreshToken: { secret: string } };
    };
    assert.ok(exported.record.refreshToken.secret === GOOD_REFRESH_TOKEN, 'stored as sent');
  });

  it('S72 importAccount refuses an export whose access or refresh token breaks the syntax, without repeating it', async () => {
    const a = client();
    await scriptedSignIn(p, a);
    const text = await a.exportAccount((await a.getAccounts())[0]!);
    const edit = (
      change: (r: { accessTokens: { secret: string }[]; refreshToken: { secret: string } }) => void,
    ) => {
      const value = JSON.parse(text) as { record: Parameters<typeof change>[0] };
      change(value.record);
      return JSON.stringify(value);
    };
    for (const bad of [
      edit((r) => (r.accessTokens[0]!.secret = REPORTED)),
      edit((r) => (r.refreshToken.secret = 'rt\nx')),
    ]) {
      const err = await rejectsWith(client().importAccount(bad), 'INVALID_ARGUMENT', /token/);
      assert.doesNotMatch(err.message, /touch|rt\nx/);
    }
    const b = client();
    assert.ok((await b.importAccount(text)).homeAccountId, 'an intact export still imports');
  });
});
