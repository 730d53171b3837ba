// Checklist items about the protocol conversation (S06, S12–S17, S19, S20, S23, S24, C6, C7), each against a
// scripted provider that shows exactly what the client sent and when.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { OAuthError, TokenloopError, createTokenClient } from 'tokenloop';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';
import { rejectsWith } from '../support/assertions.js';

describe('protocol checklist', () => {
  let p: ScriptedProvider;
  beforeEach(async () => {
    p = await startScriptedProvider();
  });
  afterEach(() => p.close());
  const client = (extra: object = {}) => createTokenClient({ issuer: p.url, clientId: p.clientId, ...extra });

  it('S06: when the provider supports the iss response parameter, a response without it is refused', async () => {
    p.metadata.authorization_response_iss_parameter_supported = true;
    const c = client();
    const { transaction } = await c.beginAuthorization({
      redirectUri: 'http://127.0.0.1:9/cb',
      scopes: ['read'],
    });
    await rejectsWith(
      c.completeAuthorization(transaction, new URLSearchParams({ code: 'c', state: transaction.state })),
      'CALLBACK',
    );
    await rejectsWith(
      c.completeAuthorization(
        transaction,
        new URLSearchParams({ code: 'c', state: transaction.state, iss: 'https://evil.example' }),
      ),
      'CALLBACK',
    );
    assert.equal(p.count('/token'), 0);
  });

  it('S12: client_secret_basic form-urlencodes id and secret before base64', async () => {
    const secret = 'a+b%c:d~e f';
    const clientId = 'id:with+chars';
    const c = createTokenClient({ issuer: p.url, clientId, clientSecret: secret });
    p.on('/token', async () => ({ body: await p.tokenResponse({ id_token: undefined }) }));
    await c.acquireAppToken({ scopes: ['read'] });
    const auth = p.log.find((r) => r.path === '/token')!.headers.authorization!;
    const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
    assert.equal(decoded, `${encodeURIComponent(clientId).replace(/%20/g, '+')}:${'a%2Bb%25c%3Ad%7Ee+f'}`);
    assert.equal(p.log.find((r) => r.path === '/token')!.body.get('client_secret'), null);
  });

  it('S13: token_type is matched case-insensitively; an unknown type is not used', async () => {
    const c = client({ clientSecret: 'secret-1' });
    p.on('/token', async () => ({
      body: await p.tokenResponse({ id_token: undefined, token_type: 'BEARER' }),
    }));
    assert.equal((await c.acquireAppToken({ scopes: ['read'] })).tokenType, 'bearer');
    p.on('/token', async () => ({ body: await p.tokenResponse({ id_token: undefined, token_type: 'mac' }) }));
    await rejectsWith(c.acquireAppToken({ scopes: ['other'] }), 'INVALID_RESPONSE');
  });

  it('S14: a narrower granted scope is stored as granted; no expires_in means unknown expiry', async () => {
    const c = client();
    const r = await scriptedSignIn(p, c, {
      scopes: ['read', 'write'],
      response: { scope: 'openid read', expires_in: undefined },
    });
    assert.deepEqual(r.scopes, ['read']);
    assert.equal(r.expiresOn, undefined);
    // The narrower token does not satisfy a request for `write`: that needs a refresh.
    p.on('/token', async () => ({
      body: await p.tokenResponse({ id_token: undefined, scope: 'read write' }),
    }));
    const w = await c.acquireTokenSilent({ scopes: ['write'] });
    assert.equal(w.fromCache, false);
    assert.equal((await c.acquireTokenSilent({ scopes: ['read'] })).fromCache, true);
  });

  it('S15: a refresh with a new refresh token replaces the old one; without one the old one is kept', async () => {
    const c = client();
    const login = await scriptedSignIn(p, c);
    const rtOf = async () =>
      (JSON.parse(await c.exportAccount(login.account!)) as { record: { refreshToken: { secret: string } } })
        .record.refreshToken.secret;
    const first = await rtOf();
    p.on('/token', async () => ({
      body: await p.tokenResponse({ id_token: undefined, refresh_token: undefined }),
    }));
    await c.acquireTokenSilent({ scopes: ['read'], forceRefresh: true });
    assert.equal(await rtOf(), first);
    assert.equal(p.log.at(-1)!.body.get('refresh_token'), first);
    p.on('/token', async () => ({
      body: await p.tokenResponse({ id_token: undefined, refresh_token: 'rt-rotated' }),
    }));
    await c.acquireTokenSilent({ scopes: ['read'], forceRefresh: true });
    assert.equal(await rtOf(), 'rt-rotated');
  });

  it('S16: plain-http issuers and endpoints are refused unless loopback', async () => {
    assert.throws(
      () => createTokenClient({ issuer: 'http://idp.example.com', clientId: 'x' }),
      (e: unknown) => e instanceof TokenloopError && e.code === 'CONFIGURATION' && /https/.test(e.message),
    );
    assert.throws(
      () => createTokenClient({ authority: 'http://login.example.com/common', clientId: 'x' }),
      (e: unknown) => e instanceof TokenloopError && e.code === 'CONFIGURATION',
    );
    p.metadata.token_endpoint = 'http://idp.example.com/token';
    await rejectsWith(client().server(), 'CONFIGURATION', /token_endpoint/);
    // The loudly named development switch allows it.
    assert.doesNotThrow(() =>
      createTokenClient({
        issuer: 'http://idp.example.com',
        clientId: 'x',
        http: { dangerouslyAllowInsecureHttp: true },
      }),
    );
  });

  it('S17: a discovery document whose issuer differs from the configured one is refused', async () => {
    p.metadata.issuer = 'https://other.example.com';
    await rejectsWith(client().server(), 'CONFIGURATION', /differs/);
  });

  it('S19: the access token travels only in the Authorization header', async () => {
    const c = client();
    const login = await scriptedSignIn(p, c);
    await c.getUserInfo();
    const req = p.log.find((r) => r.path === '/userinfo')!;
    assert.equal(req.headers.authorization, `Bearer ${login.accessToken}`);
    assert.equal(req.query.toString(), '');
    assert.equal(req.body.toString(), '');
  });

  it('S20: the system browser is $BROWSER when set (never an embedded view)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenloop-browser-'));
    try {
      const script = join(dir, 'browser.sh');
      const out = join(dir, 'opened.txt');
      await writeFile(script, `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`);
      await chmod(script, 0o755);
      const { openSystemBrowser } = await import('../../src/flows/open-browser.js');
      const previous = process.env.BROWSER;
      process.env.BROWSER = script;
      try {
        await openSystemBrowser(new URL('https://login.example.test/authorize?x=1'));
      } finally {
        if (previous === undefined) delete process.env.BROWSER;
        else process.env.BROWSER = previous;
      }
      for (let i = 0; i < 50 && !(await readFile(out, 'utf8').catch(() => '')); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(await readFile(out, 'utf8'), 'https://login.example.test/authorize?x=1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('S23: device polling keeps the interval, adds 5 s for good after slow_down, stops on access_denied', async () => {
    const c = client();
    let polls = 0;
    p.on('/token', async () => {
      polls += 1;
      if (polls === 1) return { status: 400, body: { error: 'authorization_pending' } };
      if (polls === 2) return { status: 400, body: { error: 'slow_down' } };
      return { status: 400, body: { error: 'access_denied', error_description: 'The user declined.' } };
    });
    const err = await rejectsWith(
      c.loginWithDeviceCode({ scopes: ['read'], onPrompt: () => {} }),
      'OAUTH_ERROR',
    );
    assert.equal((err as OAuthError).errorClass, 'declined');
    const times = p.log.filter((r) => r.path === '/token').map((r) => r.at);
    assert.equal(times.length, 3);
    assert.ok(times[1]! - times[0]! >= 950, `interval kept (${times[1]! - times[0]!} ms)`);
    assert.ok(times[2]! - times[1]! >= 5900, `slow_down added 5 s (${times[2]! - times[1]!} ms)`);
  });

  it('S23: expired_token stops polling with a clear error', async () => {
    p.on('/token', () => ({ status: 400, body: { error: 'expired_token' } }));
    const err = await rejectsWith(
      client().loginWithDeviceCode({ scopes: ['read'], onPrompt: () => {} }),
      'OAUTH_ERROR',
    );
    assert.match(err.remediation ?? '', /run the login again/);
    assert.equal(p.count('/token'), 1);
  });

  it('S24: 429 with Retry-After (seconds) is honoured; a malformed Retry-After is an error', async () => {
    const c = client({ clientSecret: 'secret-1' });
    let calls = 0;
    p.on('/token', async () =>
      ++calls === 1
        ? { status: 429, headers: { 'retry-after': '1' }, body: '' }
        : { body: await p.tokenResponse({ id_token: undefined }) },
    );
    await c.acquireAppToken({ scopes: ['read'] });
    const times = p.log.filter((r) => r.path === '/token').map((r) => r.at);
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 950, `waited ${times[1]! - times[0]!} ms`);
    p.on('/token', () => ({ status: 503, headers: { 'retry-after': 'soon-ish' }, body: '' }));
    await rejectsWith(c.acquireAppToken({ scopes: ['other'] }), 'INVALID_RESPONSE', /Retry-After/);
  });

  it('S24: Retry-After as an HTTP date is honoured', async () => {
    const c = client({ clientSecret: 'secret-1' });
    let calls = 0;
    p.on('/token', async () =>
      ++calls === 1
        ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() }, body: '' }
        : { body: await p.tokenResponse({ id_token: undefined }) },
    );
    await c.acquireAppToken({ scopes: ['read'] });
    const times = p.log.filter((r) => r.path === '/token').map((r) => r.at);
    assert.ok(times[1]! - times[0]! >= 900, `waited ${times[1]! - times[0]!} ms`);
  });

  it("C6: refresh_in is honoured; expiry is computed from our own clock, not the provider's", async () => {
    const c = client();
    await scriptedSignIn(p, c, { response: { refresh_in: 0 } });
    p.on('/token', async () => ({
      headers: { date: new Date(Date.now() - 86_400_000).toUTCString() },
      body: await p.tokenResponse({ id_token: undefined }),
    }));
    const due = await c.acquireTokenSilent({ scopes: ['read'] });
    assert.equal(due.fromCache, false, 'refresh_in 0 makes the token due at once');
    assert.ok(Math.abs(due.expiresOn!.getTime() - (Date.now() + 3_600_000)) < 10_000);
    assert.equal((await c.acquireTokenSilent({ scopes: ['read'] })).fromCache, true);
  });

  it('C6: short-lived tokens are still used (refresh ahead is at most half the lifetime)', async () => {
    const c = client();
    await scriptedSignIn(p, c, { response: { expires_in: 120 } });
    assert.equal((await c.acquireTokenSilent({ scopes: ['read'] })).fromCache, true);
  });

  it('C7: code redemption and refresh are never retried; client credentials and discovery are', async () => {
    const c = client({ clientSecret: 'secret-1' });
    const login = await scriptedSignIn(p, c);
    const before = p.count('/token');
    p.on('/token', () => ({ status: 503, body: '' }));
    await rejectsWith(
      c.acquireTokenSilent({ account: login.account!, scopes: ['read'], forceRefresh: true }),
      'PROVIDER_UNAVAILABLE',
    );
    assert.equal(p.count('/token') - before, 1, 'refresh: one attempt');
    const { transaction } = await c.beginAuthorization({
      redirectUri: 'http://127.0.0.1:9/cb',
      scopes: ['read'],
    });
    await rejectsWith(
      c.completeAuthorization(
        transaction,
        new URLSearchParams({ code: 'x', state: transaction.state, iss: p.url }),
      ),
      'PROVIDER_UNAVAILABLE',
    );
    assert.equal(p.count('/token') - before, 2, 'code redemption: one attempt');
    await rejectsWith(c.acquireAppToken({ scopes: ['read'] }), 'PROVIDER_UNAVAILABLE');
    assert.equal(p.count('/token') - before, 5, 'client credentials: three attempts');
    const fresh = createTokenClient({ issuer: p.url, clientId: p.clientId });
    let discoveries = 0;
    p.on('/.well-known/openid-configuration', () =>
      ++discoveries < 3
        ? { status: 502, body: '' }
        : { body: { issuer: p.url, token_endpoint: `${p.url}/token`, jwks_uri: `${p.url}/jwks` } },
    );
    assert.equal((await fresh.server()).as.issuer, p.url);
    assert.equal(discoveries, 3);
  });
});
