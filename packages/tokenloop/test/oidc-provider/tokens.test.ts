// Refresh (with oidc-provider's refresh-token rotation and reuse detection), userinfo, RP-initiated logout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memoryStore } from 'tokenloop';
import {
  CLIENT_IDS,
  NATIVE_POST_LOGOUT_REDIRECT_URI,
  type OidcProviderHarness,
  USERS,
  startOidcProvider,
} from '../support/oidc-provider-server.js';
import { claimsOf, loginInteractively, nativeClient, rejectsWith } from './helpers.js';

let h: OidcProviderHarness;
before(async () => {
  h = await startOidcProvider();
});
after(async () => {
  await h?.close();
});

/** Redeem a refresh token directly at the provider, as the native client: the OAuth error, or 'ok'. */
async function redeemDirectly(refreshToken: string): Promise<string> {
  const res = await fetch(`${h.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT_IDS.native,
    }),
  });
  const body = (await res.json()) as { error?: string };
  return res.status === 200 ? 'ok' : `${res.status} ${body.error}`;
}

describe('oidc-provider: refresh', { timeout: 60_000 }, () => {
  it('forceRefresh gets a new access token and ID token; the rotated refresh token replaces the old one', async () => {
    const cache = memoryStore();
    const client = nativeClient(h, cache);
    const { result: signedIn } = await loginInteractively(h, client, 'alice');
    const rtOf = async () => {
      const [record] = await cache.list();
      const secret = record?.refreshToken?.secret;
      assert.ok(typeof secret === 'string' && secret.length > 0, 'a cached refresh token');
      return secret;
    };
    const rt1 = await rtOf();
    const refreshes = () => h.countTokenRequests({ grantType: 'refresh_token', clientId: CLIENT_IDS.native });
    assert.equal(refreshes(), 0);

    // The sign-in scopes again, so that the refreshed ID token carries the same claims (see the next test).
    const scopes = ['openid', 'profile', 'email'];
    const r2 = await client.acquireTokenSilent({ scopes, forceRefresh: true });
    assert.equal(r2.fromCache, false);
    assert.equal(refreshes(), 1);
    assert.deepEqual(h.tokenRequests.at(-1), {
      grantType: 'refresh_token',
      clientId: CLIENT_IDS.native,
      status: 200,
      error: undefined,
      issued: ['access_token', 'id_token', 'refresh_token'],
    });
    assert.ok(r2.accessToken !== signedIn.accessToken, 'a new access token');
    assert.ok(r2.idToken, 'an ID token');
    assert.equal(claimsOf(r2.idToken).sub, USERS.alice.sub, 'the refreshed ID token is about the same user');
    assert.equal(claimsOf(r2.idToken).sub, claimsOf(signedIn.idToken!).sub);
    assert.deepEqual(r2.account, signedIn.account);
    const rt2 = await rtOf();
    assert.ok(rt2 !== rt1, 'the rotated refresh token replaced the old one in the cache');

    // The cached access token is now the new one.
    const cached = await client.acquireTokenSilent({ scopes });
    assert.equal(cached.fromCache, true);
    assert.ok(cached.accessToken === r2.accessToken, 'the refreshed access token is cached');
    assert.equal(refreshes(), 1);

    // The rotated token works (a second rotation)...
    const r3 = await client.acquireTokenSilent({ scopes, forceRefresh: true });
    assert.equal(r3.fromCache, false);
    assert.equal(refreshes(), 2);
    const rt3 = await rtOf();
    assert.ok(rt3 !== rt2, 'rotated again');

    // ...and the provider refuses the spent one. (oidc-provider treats reuse as theft and revokes the grant.)
    assert.equal(await redeemDirectly(rt1), '400 invalid_grant');

    // The grant is gone: the library says the user must sign in again, and keeps what it has.
    await rejectsWith(client.acquireTokenSilent({ scopes, forceRefresh: true }), 'INTERACTION_REQUIRED');
    assert.deepEqual(h.tokenRequests.at(-1), {
      grantType: 'refresh_token',
      clientId: CLIENT_IDS.native,
      status: 400,
      error: 'invalid_grant',
      issued: [],
    });
    assert.ok((await rtOf()) === rt3, 'the refresh token is kept after an invalid_grant');
  });

  it("a refresh keeps the account's username and name when the refreshed ID token omits them", async () => {
    // tokenloop refreshes with `scope=openid` for `scopes: ['openid']`, so the provider's new ID token has no
    // profile claims; the account's display data must survive that (a typed username still names the account).
    const client = nativeClient(h);
    const { result: signedIn } = await loginInteractively(h, client, 'bob');
    assert.equal(signedIn.account?.username, USERS.bob.preferredUsername);
    const refreshed = await client.acquireTokenSilent({ scopes: ['openid'], forceRefresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.equal(claimsOf(refreshed.idToken!).sub, USERS.bob.sub);
    assert.equal(refreshed.account?.homeAccountId, signedIn.account?.homeAccountId);
    assert.equal(refreshed.account?.username, USERS.bob.preferredUsername, 'username kept after a refresh');
    assert.equal(refreshed.account?.name, USERS.bob.name, 'name kept after a refresh');
    const byName = await client.findAccountByTypedName(USERS.bob.preferredUsername);
    assert.equal(byName?.homeAccountId, signedIn.account?.homeAccountId, 'still found by username');
  });
});

describe('oidc-provider: userinfo and sign-out', { timeout: 60_000 }, () => {
  it("getUserInfo returns the user's claims from the userinfo endpoint, with the cached access token", async () => {
    const client = nativeClient(h);
    await loginInteractively(h, client, 'bob');
    const before = h.countTokenRequests();
    const claims = await client.getUserInfo();
    assert.deepEqual(claims, {
      sub: USERS.bob.sub,
      email: USERS.bob.email,
      email_verified: true,
      name: USERS.bob.name,
      preferred_username: USERS.bob.preferredUsername,
    });
    assert.equal(h.countTokenRequests(), before, 'no token request: the cached access token was used');
  });

  it('getUserInfo asks only for what was granted: no e-mail without the email scope', async () => {
    const client = nativeClient(h);
    await loginInteractively(h, client, 'alice', ['openid', 'profile']);
    assert.deepEqual(await client.getUserInfo(), {
      sub: USERS.alice.sub,
      name: USERS.alice.name,
      preferred_username: USERS.alice.preferredUsername,
    });
  });

  it("endSessionUrl is the provider's end_session_endpoint with id_token_hint, and the provider accepts it", async () => {
    const client = nativeClient(h);
    const { result, browser } = await loginInteractively(h, client, 'alice');
    const metadata = await h.metadata();
    const url = await client.endSessionUrl({
      postLogoutRedirectUri: NATIVE_POST_LOGOUT_REDIRECT_URI,
      state: 'after-logout-1',
    });
    assert.ok(url, 'the provider has an end_session_endpoint');
    assert.equal(`${url.origin}${url.pathname}`, metadata.end_session_endpoint);
    assert.equal(url.searchParams.get('client_id'), CLIENT_IDS.native);
    assert.ok(
      url.searchParams.get('id_token_hint') === result.idToken,
      "id_token_hint is the account's ID token",
    );
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), NATIVE_POST_LOGOUT_REDIRECT_URI);
    assert.equal(url.searchParams.get('state'), 'after-logout-1');

    // The provider validates the hint (signature, audience) and the registered post-logout URI, signs the
    // user out and returns to the app with the state.
    const back = await browser.signOut(url);
    assert.equal(`${back.origin}${back.pathname}`, NATIVE_POST_LOGOUT_REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'after-logout-1');

    // Without offline_access the grant ends with the provider session: refreshing now needs a new sign-in.
    await rejectsWith(
      client.acquireTokenSilent({ scopes: ['openid'], forceRefresh: true }),
      'INTERACTION_REQUIRED',
    );
  });
});

// Last in the file: the provider's count of refresh requests is shared, and the tests above count from 0.
describe('oidc-provider: ID-token claims in results', { timeout: 60_000 }, () => {
  it('S161 a result carries the validated claims of the ID token its call received (sign-in, refresh), none from the cache', async () => {
    const client = nativeClient(h);
    const { result: signedIn, request } = await loginInteractively(h, client, 'alice');
    assert.ok(signedIn.idToken && signedIn.idTokenClaims, 'an ID token and its claims');
    assert.deepEqual(signedIn.idTokenClaims, claimsOf(signedIn.idToken), 'the claims of this very ID token');
    assert.equal(
      signedIn.idTokenClaims.nonce,
      request.searchParams.get('nonce'),
      'the nonce it was checked for',
    );
    assert.equal(signedIn.idTokenClaims.sub, USERS.alice.sub);

    const scopes = ['openid', 'profile', 'email'];
    const cached = await client.acquireTokenSilent({ scopes });
    assert.equal(cached.fromCache, true);
    assert.equal(cached.idTokenClaims, undefined, 'nothing was received, so nothing validated');

    const refreshed = await client.acquireTokenSilent({ scopes, forceRefresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.deepEqual(h.tokenRequests.at(-1)?.issued, ['access_token', 'id_token', 'refresh_token']);
    // (Within the same second the new ID token may equal the first one byte for byte: same claims, same key.)
    assert.ok(refreshed.idToken, 'the ID token the refresh brought');
    assert.deepEqual(refreshed.idTokenClaims, claimsOf(refreshed.idToken));
  });
});
