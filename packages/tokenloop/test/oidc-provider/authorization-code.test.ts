// Authorization code + PKCE against panva's oidc-provider: the native loopback flow (`loginInteractive`) and the
// web two-step flow (`beginAuthorization` / `completeAuthorization`) with its callback checks (state, RFC 9207 iss).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthError, createTokenClient, memoryStore } from 'tokenloop';
import {
  CLIENT_IDS,
  type OidcProviderHarness,
  USERS,
  WEB_REDIRECT_URI,
  startOidcProvider,
} from '../support/oidc-provider-server.js';
import { claimsOf, headerOf, loginInteractively, nativeClient, rejectsWith } from './helpers.js';

let h: OidcProviderHarness;
before(async () => {
  h = await startOidcProvider();
});
after(async () => {
  await h?.close();
});

describe('oidc-provider: native sign-in (loginInteractive)', { timeout: 60_000 }, () => {
  it('signs in with code + PKCE on a loopback redirect, validates the ID token, caches the refresh token', async () => {
    const cache = memoryStore();
    const client = nativeClient(h, cache);
    const before = h.countTokenRequests();
    const { result, request, callback, page } = await loginInteractively(h, client, 'alice');

    // The request the library sent: code flow, S256 PKCE, state, nonce, loopback redirect on 127.0.0.1.
    const p = request.searchParams;
    assert.equal(`${request.origin}${request.pathname}`, `${h.issuer}/auth`);
    assert.equal(p.get('client_id'), CLIENT_IDS.native);
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(p.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual((p.get('scope') ?? '').split(' ').sort(), [
      'email',
      'offline_access',
      'openid',
      'profile',
    ]);
    assert.ok((p.get('state') ?? '').length >= 32, 'a random state');
    assert.ok((p.get('nonce') ?? '').length >= 32, 'a random nonce');

    // The provider's response (with RFC 9207 iss) reached the library's listener, which confirmed the sign-in.
    assert.equal(`${callback.origin}${callback.pathname}`, p.get('redirect_uri'));
    assert.equal(callback.searchParams.get('iss'), h.issuer);
    assert.equal(callback.searchParams.get('state'), p.get('state'));
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Signed in<\/title>/);

    // Account keyed by sub at the issuer; display data from the validated ID token.
    const alice = USERS.alice;
    assert.deepEqual(result.account, {
      homeAccountId: `${alice.sub}@${h.issuer}`,
      environment: h.issuer,
      tenantId: undefined,
      localAccountId: alice.sub,
      username: alice.preferredUsername,
      name: alice.name,
    });
    assert.equal(result.fromCache, false);
    assert.equal(result.tokenType, 'bearer');
    assert.ok(result.expiresOn instanceof Date, 'an expiry');
    assert.ok(result.expiresOn.getTime() > Date.now(), 'an expiry in the future');
    assert.ok(result.idToken, 'an ID token');
    const claims = claimsOf(result.idToken);
    assert.equal(claims.iss, h.issuer);
    assert.equal(claims.aud, CLIENT_IDS.native);
    assert.equal(claims.sub, alice.sub);
    assert.equal(claims.nonce, p.get('nonce'));
    assert.equal(headerOf(result.idToken).alg, 'RS256');
    assert.equal(headerOf(result.idToken).kid, h.signingKid);

    // Exactly one code redemption; the refresh token is in the cache.
    assert.equal(h.countTokenRequests() - before, 1);
    assert.deepEqual(h.tokenRequests.at(-1), {
      grantType: 'authorization_code',
      clientId: CLIENT_IDS.native,
      status: 200,
      error: undefined,
      issued: ['access_token', 'id_token', 'refresh_token'],
    });
    const records = await cache.list();
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.equal(record.account.homeAccountId, `${alice.sub}@${h.issuer}`);
    assert.equal(record.account.idTokenSubject, alice.sub);
    assert.ok(
      typeof record.refreshToken?.secret === 'string' && record.refreshToken.secret.length > 0,
      'a refresh token is cached',
    );
    assert.ok(record.refreshToken.secret !== result.accessToken, 'the refresh token is its own token');
    assert.deepEqual(
      (await client.getAccounts()).map((a) => a.homeAccountId),
      [`${alice.sub}@${h.issuer}`],
    );

    // A silent call is served from the cache: no request.
    const silent = await client.acquireTokenSilent({ scopes: ['openid'] });
    assert.equal(silent.fromCache, true);
    assert.ok(silent.accessToken === result.accessToken, 'the cached access token');
    assert.equal(h.countTokenRequests() - before, 1);
  });

  it('keeps two users apart: each is its own account, keyed by its own sub', async () => {
    const client = nativeClient(h);
    const a = await loginInteractively(h, client, 'alice');
    const b = await loginInteractively(h, client, 'bob');
    assert.equal(a.result.account?.homeAccountId, `${USERS.alice.sub}@${h.issuer}`);
    assert.equal(b.result.account?.homeAccountId, `${USERS.bob.sub}@${h.issuer}`);
    assert.deepEqual((await client.getAccounts()).map((x) => x.username).sort(), [
      USERS.alice.preferredUsername,
      USERS.bob.preferredUsername,
    ]);
    const bob = await client.acquireTokenSilent({
      scopes: ['openid'],
      account: await client.findAccountByTypedName(USERS.bob.preferredUsername),
    });
    assert.equal(bob.account?.localAccountId, USERS.bob.sub);
    assert.ok(bob.accessToken === b.result.accessToken, "bob's own cached token");
  });
});

describe(
  'oidc-provider: web sign-in (beginAuthorization / completeAuthorization)',
  { timeout: 60_000 },
  () => {
    const webClient = () =>
      createTokenClient({ issuer: h.issuer, clientId: CLIENT_IDS.web, clientSecret: h.clientSecret });

    it('rejects a wrong state and a wrong or missing iss before any token request, then accepts the real response once', async () => {
      const client = webClient();
      const { url, transaction } = await client.beginAuthorization({
        redirectUri: WEB_REDIRECT_URI,
        scopes: ['openid', 'profile', 'email'],
      });
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('redirect_uri'), WEB_REDIRECT_URI);
      const { callback, logins, consents } = await h.browser().authorize(url, { user: 'bob' });
      assert.deepEqual([logins, consents], [1, 1]);
      assert.equal(`${callback.origin}${callback.pathname}`, WEB_REDIRECT_URI);
      assert.equal(callback.searchParams.get('state'), transaction.state);
      assert.equal(callback.searchParams.get('iss'), h.issuer, 'oidc-provider sends iss (RFC 9207)');
      assert.ok(callback.searchParams.get('code'), 'a code');

      const before = h.countTokenRequests();
      const variant = (edit: (p: URLSearchParams) => void) => {
        const u = new URL(callback);
        edit(u.searchParams);
        return u;
      };
      await rejectsWith(
        client.completeAuthorization(
          transaction,
          variant((p) => p.set('state', `${transaction.state}x`)),
        ),
        'CALLBACK',
        /state/,
      );
      await rejectsWith(
        client.completeAuthorization(
          transaction,
          variant((p) => p.set('iss', 'http://127.0.0.1:1')),
        ),
        'CALLBACK',
        /iss/,
      );
      await rejectsWith(
        client.completeAuthorization(
          transaction,
          variant((p) => p.set('iss', `${h.issuer}/`)),
        ),
        'CALLBACK',
        /iss/,
      );
      // The provider advertises authorization_response_iss_parameter_supported, so a response without iss is refused.
      await rejectsWith(
        client.completeAuthorization(
          transaction,
          variant((p) => p.delete('iss')),
        ),
        'CALLBACK',
        /iss/,
      );
      assert.equal(h.countTokenRequests(), before, 'no token request for a rejected callback');

      const result = await client.completeAuthorization(transaction, callback);
      assert.equal(result.account?.homeAccountId, `${USERS.bob.sub}@${h.issuer}`);
      assert.equal(result.account?.username, USERS.bob.preferredUsername);
      assert.equal(claimsOf(result.idToken!).nonce, transaction.nonce);
      assert.equal(h.countTokenRequests(), before + 1);
      assert.deepEqual(h.tokenRequests.at(-1), {
        grantType: 'authorization_code',
        clientId: CLIENT_IDS.web,
        status: 200,
        error: undefined,
        issued: ['access_token', 'id_token', 'refresh_token'],
      });

      // The same response again is a replay: refused without a request.
      await rejectsWith(client.completeAuthorization(transaction, callback), 'CALLBACK', /already used/);
      assert.equal(h.countTokenRequests(), before + 1);
    });

    it('a response for another transaction (state of a second sign-in) is refused before any token request', async () => {
      const client = webClient();
      const first = await client.beginAuthorization({ redirectUri: WEB_REDIRECT_URI, scopes: ['openid'] });
      const second = await client.beginAuthorization({ redirectUri: WEB_REDIRECT_URI, scopes: ['openid'] });
      const { callback } = await h.browser().authorize(second.url, { user: 'alice' });
      const before = h.countTokenRequests();
      await rejectsWith(client.completeAuthorization(first.transaction, callback), 'CALLBACK', /state/);
      assert.equal(h.countTokenRequests(), before);
      const result = await client.completeAuthorization(second.transaction, callback);
      assert.equal(result.account?.localAccountId, USERS.alice.sub);
      assert.equal(h.countTokenRequests(), before + 1);
    });

    it('the user declining consent comes back as access_denied, with no token request', async () => {
      const client = webClient();
      const { url, transaction } = await client.beginAuthorization({
        redirectUri: WEB_REDIRECT_URI,
        scopes: ['openid'],
      });
      const { callback } = await h.browser().authorize(url, { user: 'alice', abortAt: 'consent' });
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('iss'), h.issuer);
      const before = h.countTokenRequests();
      const err = await rejectsWith(
        client.completeAuthorization(transaction, callback),
        'OAUTH_ERROR',
        /^access_denied: End-User aborted interaction$/,
      );
      assert.ok(err instanceof OAuthError);
      assert.equal(err.error, 'access_denied');
      assert.equal(err.errorClass, 'declined');
      assert.equal(h.countTokenRequests(), before);
    });
  },
);
