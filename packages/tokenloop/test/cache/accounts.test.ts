// Accounts: selection by id (a typed username through findAccountByTypedName), ambiguity, removal, export /
// import between clients (S38 keys, S70 / S71 lookup).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TokenloopError, createTokenClient } from 'tokenloop';
import { type ScriptedProvider, startScriptedProvider } from '../support/scripted-provider.js';
import { scriptedSignIn } from '../support/scripted-sign-in.js';

describe('accounts', () => {
  let p: ScriptedProvider;
  beforeEach(async () => {
    p = await startScriptedProvider();
  });
  afterEach(() => p.close());

  it('several accounts: chosen by id or a typed username, ambiguity is a clear error, removal forgets one', async () => {
    const c = createTokenClient({ issuer: p.url, clientId: p.clientId });
    const one = await scriptedSignIn(p, c, {
      claims: { sub: 'u-1', preferred_username: 'one@example.test' },
    });
    assert.equal((await c.acquireTokenSilent({ scopes: ['read'] })).account?.username, 'one@example.test');
    await scriptedSignIn(p, c, { claims: { sub: 'u-2', preferred_username: 'two@example.test' } });
    await assert.rejects(
      c.acquireTokenSilent({ scopes: ['read'] }),
      (e: unknown) =>
        e instanceof TokenloopError && e.code === 'INVALID_ARGUMENT' && /2 accounts/.test(e.message),
    );
    const two = await c.findAccountByTypedName('TWO@example.test');
    assert.equal(
      (await c.acquireTokenSilent({ scopes: ['read'], account: two })).account?.localAccountId,
      'u-2',
    );
    assert.equal(
      (await c.acquireTokenSilent({ scopes: ['read'], account: one.account!.homeAccountId })).account
        ?.localAccountId,
      'u-1',
    );
    await assert.rejects(
      c.acquireTokenSilent({ scopes: ['read'], account: `nobody@${p.url}` }),
      (e: unknown) => e instanceof TokenloopError && e.code === 'ACCOUNT_NOT_FOUND',
    );
    assert.equal(await c.removeAccount(one.account!.homeAccountId), true);
    assert.equal(await c.removeAccount(one.account!.homeAccountId), false);
    assert.equal((await c.acquireTokenSilent({ scopes: ['read'] })).account?.username, 'two@example.test');
  });

  it('S38: the key is (iss, sub) — never the e-mail', async () => {
    const c = createTokenClient({ issuer: p.url, clientId: p.clientId });
    await scriptedSignIn(p, c, { claims: { sub: 'u-1', email: 'same@example.test' } });
    await scriptedSignIn(p, c, { claims: { sub: 'u-2', email: 'same@example.test' } });
    await scriptedSignIn(p, c, { claims: { sub: 'u-2', email: 'changed@example.test' } });
    const accounts = await c.getAccounts();
    assert.deepEqual(accounts.map((a) => a.homeAccountId).sort(), [`u-1@${p.url}`, `u-2@${p.url}`]);
  });

  it('export / import moves an account (with its refresh token) to another client; foreign exports are refused', async () => {
    const a = createTokenClient({ issuer: p.url, clientId: p.clientId });
    const login = await scriptedSignIn(p, a);
    const text = await a.exportAccount(login.account!);
    const b = createTokenClient({ issuer: p.url, clientId: p.clientId });
    assert.equal((await b.importAccount(text)).homeAccountId, login.account!.homeAccountId);
    assert.equal((await b.acquireTokenSilent({ scopes: ['read'], forceRefresh: true })).fromCache, false);
    const other = createTokenClient({ issuer: p.url, clientId: 'another-client' });
    await assert.rejects(
      other.importAccount(text),
      (e: unknown) => e instanceof TokenloopError && e.code === 'INVALID_ARGUMENT',
    );
    await assert.rejects(
      b.importAccount('{"format":"nope"}'),
      (e: unknown) => e instanceof TokenloopError && e.code === 'INVALID_ARGUMENT',
    );
  });
});
