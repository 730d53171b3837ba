// Fault tests: provider down, 5xx, slow, connection resets — clear errors, and no token lost that could be
// kept (C5). Cache-file faults (kill -9 mid-write, garbage / future-version files) are in test/stores.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type TokenClient, createTokenClient, encryptedFileStore } from 'tokenloop';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';
import { rejectsWith } from '../support/assertions.js';

const refreshTokenOf = async (c: TokenClient) =>
  (
    JSON.parse(await c.exportAccount((await c.getAccounts())[0]!)) as {
      record: { refreshToken: { secret: string } };
    }
  ).record.refreshToken.secret;

/** Make the cached access token due for refresh but not yet expired (a refresh failure can fall back to it). */
async function makeDue(c: TokenClient, expiresInMs: number): Promise<void> {
  const exported = JSON.parse(await c.exportAccount((await c.getAccounts())[0]!)) as {
    record: { accessTokens: { expiresAt?: number; obtainedAt: number }[] };
  };
  for (const t of exported.record.accessTokens) {
    t.obtainedAt = Date.now() - 3_500_000;
    t.expiresAt = Date.now() + expiresInMs;
  }
  await c.importAccount(JSON.stringify(exported));
}

describe('provider faults', () => {
  let p: ScriptedProvider;
  let c: TokenClient;
  beforeEach(async () => {
    p = await startScriptedProvider();
    c = createTokenClient({ issuer: p.url, clientId: p.clientId, http: { timeoutMs: 1000 } });
    await scriptedSignIn(p, c);
  });
  afterEach(() => p.close());

  it('provider down: a clear NETWORK error naming the host; the refresh token is kept', async () => {
    const rt = await refreshTokenOf(c);
    await makeDue(c, -1000);
    await p.close();
    const err = await rejectsWith(
      c.acquireTokenSilent({ scopes: ['read'] }),
      'NETWORK',
      /cannot reach http:\/\/127\.0\.0\.1/,
    );
    assert.equal(err.stack?.includes(err.message), true);
    assert.equal(await refreshTokenOf(c), rt);
    assert.equal((await c.getAccounts()).length, 1);
  });

  it('provider down while the token is due but unexpired: the cached token is served (C5)', async () => {
    await makeDue(c, 60_000);
    await p.close();
    const r = await c.acquireTokenSilent({ scopes: ['read'] });
    assert.equal(r.fromCache, true);
  });

  for (const [name, reply, code] of [
    ['HTTP 500 without a body', { status: 500, body: '' }, 'PROVIDER_UNAVAILABLE'],
    [
      'HTTP 503 with an OAuth error body',
      { status: 503, body: { error: 'temporarily_unavailable' } },
      'OAUTH_ERROR',
    ],
    ['a connection reset', { reset: true }, 'NETWORK'],
    ['a response slower than the timeout', { delayMs: 2000, body: {} }, 'NETWORK'],
    ['an HTML error page with status 200', { status: 200, body: '<html>oops</html>' }, 'INVALID_RESPONSE'],
  ] as const) {
    it(`refresh meets ${name}: ${code}, tokens kept, works again once the provider recovers`, async () => {
      const rt = await refreshTokenOf(c);
      await makeDue(c, -1000);
      p.on('/token', () => reply);
      await rejectsWith(c.acquireTokenSilent({ scopes: ['read'] }), code);
      assert.equal(await refreshTokenOf(c), rt, 'the refresh token survives');
      p.on('/token', undefined);
      const r = await c.acquireTokenSilent({ scopes: ['read'] });
      assert.equal(r.fromCache, false);
    });
  }

  it('a slow discovery document times out with a message that says so', async () => {
    const fresh = createTokenClient({ issuer: p.url, clientId: p.clientId, http: { timeoutMs: 300 } });
    p.on('/.well-known/openid-configuration', () => ({ delayMs: 1500, body: {} }));
    await rejectsWith(fresh.server(), 'NETWORK', /did not answer within 300 ms/);
  });

  it('a response bigger than the body cap is refused', async () => {
    const small = createTokenClient({
      issuer: p.url,
      clientId: p.clientId,
      http: { maxResponseBytes: 2048 },
    });
    p.on('/.well-known/openid-configuration', () => ({
      body: { issuer: p.url, padding: 'x'.repeat(10_000) },
    }));
    const err = await rejectsWith(small.server(), 'INVALID_RESPONSE');
    assert.match(err.message, /2048|too large|exceeds/i);
  });

  it('invalid_grant after another process rotated the refresh token: the cache is re-read, no sign-in needed (C5)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenloop-c5-'));
    try {
      const path = join(dir, 'cache');
      const a = createTokenClient({
        issuer: p.url,
        clientId: p.clientId,
        cache: encryptedFileStore({ path, keyring: 'off' }),
      });
      const b = createTokenClient({
        issuer: p.url,
        clientId: p.clientId,
        cache: encryptedFileStore({ path, keyring: 'off' }),
      });
      await scriptedSignIn(p, a);
      // The provider accepts only the latest refresh token (rotation); anything else is invalid_grant.
      let valid = await refreshTokenOf(a);
      p.on('/token', async (req) => {
        if (req.body.get('refresh_token') !== valid) return { status: 400, body: { error: 'invalid_grant' } };
        const body = await p.tokenResponse({ id_token: undefined });
        valid = body.refresh_token as string;
        return { body };
      });
      await a.acquireTokenSilent({ scopes: ['read'], forceRefresh: true });
      const r = await b.acquireTokenSilent({ scopes: ['read'], forceRefresh: true });
      assert.equal(r.fromCache, false);
      assert.equal(p.log.filter((x) => x.path === '/token').length >= 2, true);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a garbage cache file is quarantined with a warning and sign-in starts clean (C3)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenloop-c3-'));
    try {
      const path = join(dir, 'cache');
      await writeFile(path, 'this is not a tokenloop cache', { mode: 0o600 });
      const warnings: string[] = [];
      const store = encryptedFileStore({ path, keyring: 'off', onWarning: (m) => warnings.push(m) });
      const fresh = createTokenClient({ issuer: p.url, clientId: p.clientId, cache: store });
      assert.deepEqual(await fresh.getAccounts(), []);
      await scriptedSignIn(p, fresh);
      assert.equal((await fresh.getAccounts()).length, 1);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /moved to .*continuing with an empty cache/);
      await fresh.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
