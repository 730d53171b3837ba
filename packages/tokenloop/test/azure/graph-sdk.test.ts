// The Microsoft Graph SDK (@microsoft/microsoft-graph-client with its TokenCredentialAuthenticationProvider)
// calling the emulator's Graph `/v1.0/me` with tokenloop/azure's credential: the Graph SDK's calls are served
// from tokenloop's cache, as the emulator's token-request counts show. One https emulator for the file (the
// Graph SDK sends a token only to https hosts it knows).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { SAMPLE_IDS } from '@tokenloop/emulator';
import { type TokenClient, createTokenClient } from 'tokenloop';
import { createTokenCredential } from 'tokenloop/azure';
import { type HttpsEmulator, startHttpsEmulator } from './support/https-emulator.js';

/** Every token request the emulator got from the app, whatever the grant. */
const tokenRequests = (h: HttpsEmulator) =>
  Object.values(h.em.stats().token_requests).reduce(
    (n, byClient) => n + (byClient[SAMPLE_IDS.publicApp] ?? 0),
    0,
  );

describe('tokenloop/azure with the Microsoft Graph SDK', () => {
  let h: HttpsEmulator;
  let client: TokenClient;
  before(async () => {
    h = await startHttpsEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    client = createTokenClient({
      authority: `${h.em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.publicApp,
      http: { fetch: h.fetch },
    });
    await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
  });
  after(async () => {
    await client?.close();
    await h?.close();
  });

  it("S109 Graph's /v1.0/me through TokenCredentialAuthenticationProvider; the second call's token comes from tokenloop's cache", async () => {
    const graph = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(createTokenCredential(client), {
        scopes: ['https://graph.microsoft.com/.default'],
      }),
      baseUrl: `${h.em.url}/`,
      customHosts: new Set([new URL(h.em.url).hostname]),
      fetchOptions: { dispatcher: h.dispatcher } as RequestInit,
    });
    const atStart = tokenRequests(h);
    const me = (await graph.api('/me').get()) as { userPrincipalName: string; id: string };
    assert.equal(me.userPrincipalName, 'alice@contoso.onmicrosoft.com');
    assert.equal(me.id, SAMPLE_IDS.alice);
    // The sign-in asked for User.Read: Graph's `.default` is one renewal (the same refresh token), once.
    const afterFirst = tokenRequests(h);
    assert.equal(afterFirst - atStart, 1, 'one renewal for the first call');
    const again = (await graph.api('/me').select('displayName').get()) as { displayName: string };
    assert.equal(again.displayName, 'Alice Adams');
    assert.equal(tokenRequests(h), afterFirst, 'the second call made no token request');
  });
});
