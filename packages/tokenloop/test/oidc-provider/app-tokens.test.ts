// Client credentials (acquireAppToken) against oidc-provider: client_secret_basic and private_key_jwt, caching.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthError, createTokenClient } from 'tokenloop';
import { CLIENT_IDS, type OidcProviderHarness, startOidcProvider } from '../support/oidc-provider-server.js';
import { rejectsWith } from './helpers.js';

let h: OidcProviderHarness;
before(async () => {
  h = await startOidcProvider();
});
after(async () => {
  await h?.close();
});

describe('oidc-provider: client credentials (acquireAppToken)', { timeout: 60_000 }, () => {
  it('client_secret_basic: an app token from the provider, then from the cache (one token request)', async () => {
    const client = createTokenClient({
      issuer: h.issuer,
      clientId: CLIENT_IDS.service,
      clientSecret: h.clientSecret,
    });
    const count = () =>
      h.countTokenRequests({ grantType: 'client_credentials', clientId: CLIENT_IDS.service });
    const first = await client.acquireAppToken({ scopes: ['api:read'] });
    assert.equal(first.fromCache, false);
    assert.equal(first.tokenType, 'bearer');
    assert.deepEqual(first.scopes, ['api:read']);
    assert.equal(first.account, undefined);
    assert.equal(first.idToken, undefined);
    assert.ok(first.expiresOn instanceof Date, 'an expiry');
    assert.ok(first.expiresOn.getTime() > Date.now(), 'an expiry in the future');
    assert.equal(count(), 1);
    assert.deepEqual(h.tokenRequests.at(-1), {
      grantType: 'client_credentials',
      clientId: CLIENT_IDS.service,
      status: 200,
      error: undefined,
      issued: ['access_token'],
    });

    const second = await client.acquireAppToken({ scopes: ['api:read'] });
    assert.equal(second.fromCache, true);
    assert.ok(second.accessToken === first.accessToken, 'the cached app token');
    assert.equal(count(), 1, 'the second call made no token request');

    // App tokens are no accounts.
    assert.deepEqual(await client.getAccounts(), []);

    // forceRefresh asks again and replaces the cached token.
    const third = await client.acquireAppToken({ scopes: ['api:read'], forceRefresh: true });
    assert.equal(third.fromCache, false);
    assert.ok(third.accessToken !== first.accessToken, 'a new app token');
    assert.equal(count(), 2);
    const fourth = await client.acquireAppToken({ scopes: ['api:read'] });
    assert.ok(fourth.fromCache && fourth.accessToken === third.accessToken, 'the new token is cached');
    assert.equal(count(), 2);
  });

  it('private_key_jwt: the certificate credential signs a client assertion the provider accepts', async () => {
    const client = createTokenClient({
      issuer: h.issuer,
      clientId: CLIENT_IDS.serviceJwt,
      clientCertificate: h.serviceCertificate,
    });
    const count = () =>
      h.countTokenRequests({ grantType: 'client_credentials', clientId: CLIENT_IDS.serviceJwt });
    const first = await client.acquireAppToken({ scopes: ['api:read', 'api:write'] });
    assert.equal(first.fromCache, false);
    assert.deepEqual(first.scopes, ['api:read', 'api:write']);
    assert.equal(count(), 1);
    assert.equal(h.tokenRequests.at(-1)?.status, 200);
    const second = await client.acquireAppToken({ scopes: ['api:write'] });
    assert.equal(second.fromCache, true, 'a token for more scopes covers fewer');
    assert.equal(count(), 1);
  });

  it('a wrong secret is invalid_client, reported as a configuration problem', async () => {
    const client = createTokenClient({
      issuer: h.issuer,
      clientId: CLIENT_IDS.service,
      clientSecret: `${h.clientSecret}-wrong`,
    });
    const err = await rejectsWith(
      client.acquireAppToken({ scopes: ['api:read'] }),
      'OAUTH_ERROR',
      /^invalid_client/,
    );
    assert.ok(err instanceof OAuthError, 'an OAuthError');
    assert.equal(err.error, 'invalid_client');
    assert.equal(err.status, 401);
    assert.equal(err.errorClass, 'misconfiguration');
  });

  it('a scope the client may not use is invalid_scope', async () => {
    const client = createTokenClient({
      issuer: h.issuer,
      clientId: CLIENT_IDS.service,
      clientSecret: h.clientSecret,
    });
    const err = await rejectsWith(
      client.acquireAppToken({ scopes: ['openid'] }),
      'OAUTH_ERROR',
      /^invalid_scope/,
    );
    assert.ok(err instanceof OAuthError, 'an OAuthError');
    assert.equal(err.error, 'invalid_scope');
  });
});
