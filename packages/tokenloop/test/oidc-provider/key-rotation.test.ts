// Signing-key rotation at oidc-provider (restarted on the same port with a new JWKS): the client refetches the
// JWKS once when an ID token names a key it does not know, and accepts the token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memoryStore } from 'tokenloop';
import { type OidcProviderHarness, USERS, startOidcProvider } from '../support/oidc-provider-server.js';
import { claimsOf, headerOf, loginInteractively, nativeClient } from './helpers.js';

let h: OidcProviderHarness;
before(async () => {
  h = await startOidcProvider();
});
after(async () => {
  await h?.close();
});

describe('oidc-provider: signing key rotation', { timeout: 60_000 }, () => {
  it('graceful rotation (old key still published): a refreshed ID token signed with the new key validates', async () => {
    const client = nativeClient(h, memoryStore());
    const jwks0 = h.jwksRequests;
    const { result: signedIn } = await loginInteractively(h, client, 'alice');
    const oldKid = h.signingKid;
    assert.equal(headerOf(signedIn.idToken!).kid, oldKid);
    assert.equal(h.jwksRequests - jwks0, 1, 'the JWKS was fetched once to validate the first ID token');

    const newKid = await h.rotateSigningKey({ keepOld: true });
    assert.notEqual(newKid, oldKid);
    assert.deepEqual(h.publishedKids, [newKid, oldKid]);

    const refreshed = await client.acquireTokenSilent({
      scopes: ['openid', 'profile', 'email'],
      forceRefresh: true,
    });
    assert.equal(refreshed.fromCache, false);
    assert.equal(h.tokenRequests.at(-1)?.status, 200);
    assert.deepEqual(h.tokenRequests.at(-1)?.issued, ['access_token', 'id_token', 'refresh_token']);
    assert.ok(refreshed.idToken, 'an ID token');
    assert.equal(headerOf(refreshed.idToken).kid, newKid, 'signed with the new key');
    assert.equal(claimsOf(refreshed.idToken).sub, USERS.alice.sub);
    assert.equal(h.jwksRequests - jwks0, 2, 'the JWKS was refetched once for the unknown kid');

    // The new key set is cached: another refresh needs no JWKS request.
    await client.acquireTokenSilent({ scopes: ['openid', 'profile', 'email'], forceRefresh: true });
    assert.equal(h.jwksRequests - jwks0, 2);
  });

  it('hard rotation (old key dropped): a new sign-in validates with the new key', async () => {
    const client = nativeClient(h);
    const jwks0 = h.jwksRequests;
    const first = await loginInteractively(h, client, 'bob');
    const oldKid = h.signingKid;
    assert.equal(headerOf(first.result.idToken!).kid, oldKid);
    assert.equal(h.jwksRequests - jwks0, 1);

    const newKid = await h.rotateSigningKey({ keepOld: false });
    assert.deepEqual(h.publishedKids, [newKid]);

    const again = await loginInteractively(h, client, 'bob');
    assert.equal(headerOf(again.result.idToken!).kid, newKid, 'signed with the new key');
    assert.equal(again.result.account?.homeAccountId, `${USERS.bob.sub}@${h.issuer}`);
    assert.equal(h.jwksRequests - jwks0, 2, 'the JWKS was refetched once for the unknown kid');
    assert.equal((await client.getAccounts()).length, 1, 'the same account');
  });
});
