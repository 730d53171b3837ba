/**
 * MSAL's own token cache is the judge of the emulator's token responses. MSAL stores each access token under
 * the token response's `scope` and later matches the scopes an app asks for against it, so an app that signs
 * in with `['User.Read']` and then calls `acquireTokenSilent({ scopes: ['User.Read'] })` is served from the
 * cache against Entra — and must be against the emulator. Microsoft's @azure/msal-node, unchanged apart from
 * its authority and `knownAuthorities`, signs in by auth code, device code and username/password, then asks
 * again for the same scopes, written as Microsoft's samples write them. The emulator's `/_emulator/stats`
 * (read over HTTP) counts what reached its token endpoint: nothing while the token is valid, exactly one
 * refresh once MSAL considers it expired.
 *
 * The auto-login emulator completes sign-ins without pages (the pages are covered by msal.test.ts), so the
 * authorization response is fetched here and handed to MSAL's own loopback redirect target in the driver.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { removeSharedCa, sharedCa, TENANT } from './msal/cache-cases.ts';
import { ALICE, type CacheRoundClient, cacheRound } from './msal/cache-round.ts';
import { type MsalDriver, startMsalDriver } from './msal/harness.ts';
import type { TokenSummary } from './msal/protocol.ts';

const TEST = { timeout: 180_000 };

let dataDir: string | undefined;
let caPem: string;
let driver: MsalDriver;

before(async () => {
  const ca = await sharedCa();
  dataDir = ca.dataDir;
  caPem = ca.caPem;
  driver = await startMsalDriver(ca.caCertFile);
});

after(async () => {
  await driver?.close();
  await removeSharedCa(dataDir);
});

type Flow = 'auth code' | 'device code' | 'username/password';

/** Follows the auto-login emulator's redirect to MSAL's loopback redirect target, as a browser would. */
async function completeInBrowserless(url: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const res = await undiciFetch(url, {
      redirect: 'manual',
      dispatcher,
      signal: AbortSignal.timeout(10_000),
    });
    const location = res.headers.get('location');
    assert.ok(location, `authorize answered ${res.status} without a redirect`);
    assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/\?/, 'back at the app with the code');
    const back = await fetch(location, { signal: AbortSignal.timeout(10_000) });
    assert.equal(back.status, 200);
  } finally {
    await dispatcher.close();
  }
}

async function signIn(flow: Flow, app: string, scopes: string[]): Promise<TokenSummary> {
  if (flow === 'auth code')
    return driver.call<TokenSummary>(
      { op: 'signInByCode', app, scopes, redirectPath: '/' },
      { onBrowse: completeInBrowserless },
    );
  if (flow === 'device code')
    return driver.call<TokenSummary>(
      { op: 'signInByDeviceCode', app, scopes },
      { onDeviceCode: async () => {} },
    );
  return driver.call<TokenSummary>({ op: 'signInByPassword', app, scopes, ...ALICE });
}

function silent(app: string, scopes: string[]): Promise<TokenSummary> {
  return driver.call<TokenSummary>({ op: 'silent', app, username: ALICE.username, scopes });
}

let appCounter = 0;

/** msal-node in the cache round: an app of the driver, and the first token's `uti` once it has signed in. */
function msalNodeClient(flow: Flow): CacheRoundClient<{ app: string; uti?: unknown }> {
  return {
    async createApp(clientId, authority) {
      const app = `cache-${++appCounter}`;
      await driver.call({ op: 'createApp', app: { name: app, kind: 'public', clientId, authority } });
      return { app };
    },
    async signIn(a, c) {
      const first = await signIn(flow, a.app, c.scopes);
      assert.equal(first.fromCache, false);
      assert.equal(first.accessToken?.claims.aud, c.aud, `${c.label}: audience`);
      assert.equal(first.accessToken?.claims.oid, SAMPLE_IDS.alice);
      a.uti = first.accessToken?.claims.uti;
    },
    async silentFromCache(a, c, i) {
      const again = await silent(a.app, c.scopes);
      assert.equal(again.fromCache, true, `${c.label}: silent call ${i + 1} served from MSAL's cache`);
      assert.equal(again.accessToken?.claims.uti, a.uti);
    },
    async silentAfterExpiry(a, c) {
      const later = await silent(a.app, c.scopes);
      assert.equal(later.fromCache, false, `${c.label}: the expired token is not served`);
      assert.notEqual(later.accessToken?.claims.uti, a.uti, `${c.label}: a new access token`);
      assert.equal(later.accessToken?.claims.aud, c.aud, `${c.label}: audience after refresh`);
    },
    async silentAfterRefresh(a, c) {
      const next = await silent(a.app, c.scopes);
      assert.equal(next.fromCache, true, `${c.label}: the refreshed token is served from the cache`);
    },
  };
}

describe('msal-node: MSAL’s own cache decides whether the emulator answered as Entra does', () => {
  for (const flow of ['auth code', 'device code', 'username/password'] as const) {
    it(
      `msal-node: after ${flow} sign-in, acquireTokenSilent with the same scopes makes 0 token requests; after expiry exactly 1 refresh`,
      TEST,
      () => cacheRound({ dataDir, caPem }, msalNodeClient(flow)),
    );
  }
});

describe('msal-node: resource identifiers keep their trailing slash', () => {
  it(
    'msal-node: an App ID URI ending in a slash is the token’s aud as registered (device code and client credentials); Graph’s slash alias still means https://graph.microsoft.com',
    TEST,
    async () => {
      const e = await startEmulator({
        https: true,
        dataDir,
        autoLogin: 'alice',
        settings: { deviceCodeInterval: 1 },
      });
      try {
        // A v1 API whose App ID URI ends in a slash, as Azure's own APIs do (https://management.core.windows.net/).
        e.addApp({
          name: 'Slash-terminated v1 API',
          type: 'api',
          tenant: TENANT,
          appIdUri: 'https://api.contoso.example/',
          accessTokenVersion: 1,
          scopes: [{ value: 'user_impersonation', description: 'Use the API as you' }],
          appRoles: [{ value: 'Data.Read', description: 'Read data' }],
        });
        const user = e.addApp({
          name: 'Slash test client',
          type: 'public',
          tenant: TENANT,
          delegatedPermissions: {
            'https://api.contoso.example/': ['user_impersonation'],
            'https://graph.microsoft.com/': ['User.Read'],
          },
          adminConsented: true,
        });
        const daemon = e.addApp({
          name: 'Slash test daemon',
          type: 'daemon',
          tenant: TENANT,
          secret: SAMPLE_SECRETS.daemonApp,
          applicationPermissions: { 'https://api.contoso.example/': ['Data.Read'] },
        });
        const app = `slash-${++appCounter}`;
        await driver.call({
          op: 'createApp',
          app: { name: app, kind: 'public', clientId: user.clientId, authority: `${e.url}/${TENANT}` },
        });
        const delegated = await driver.call<TokenSummary>(
          { op: 'signInByDeviceCode', app, scopes: ['https://api.contoso.example//.default'] },
          { onDeviceCode: async () => {} },
        );
        assert.equal(delegated.accessToken?.claims.aud, 'https://api.contoso.example/');
        assert.equal(delegated.accessToken?.claims.scp, 'user_impersonation');
        const graph = await driver.call<TokenSummary>({
          op: 'silent',
          app,
          username: ALICE.username,
          scopes: ['https://graph.microsoft.com//User.Read'],
        });
        assert.equal(graph.accessToken?.claims.aud, 'https://graph.microsoft.com');

        const cc = `slash-${++appCounter}`;
        await driver.call({
          op: 'createApp',
          app: {
            name: cc,
            kind: 'confidential',
            clientId: daemon.clientId,
            authority: `${e.url}/${TENANT}`,
            clientSecret: SAMPLE_SECRETS.daemonApp,
          },
        });
        const token = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app: cc,
          scopes: ['https://api.contoso.example//.default'],
        });
        assert.equal(token.accessToken?.claims.aud, 'https://api.contoso.example/');
        assert.deepEqual(token.accessToken?.claims.roles, ['Data.Read']);
      } finally {
        await e.close();
      }
    },
  );
});
