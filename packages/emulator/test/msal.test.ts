/**
 * Microsoft's own @azure/msal-node (v7), configured as its docs show except for `authority` and
 * `knownAuthorities`, signs in against the emulator over https:
 *   - auth code + PKCE (public client, getAuthCodeUrl → acquireTokenByCode; confidential web app with a secret
 *     and response_mode=form_post; acquireTokenInteractive with MSAL's own loopback server), the login and
 *     consent pages driven in real headless Chromium;
 *   - device code, entered at /devicelogin in Chromium, and with an auto-login emulator;
 *   - client credentials with a secret and with certificates (SHA-256 and SHA-1 thumbprints), the certificates
 *     registered at runtime through `addApp` and through the admin REST API;
 *   - silent refresh (forceRefresh, and an access token that really expired) seen in the emulator's stats;
 *   - on-behalf-of from the sample API to Microsoft Graph, with the result used on `/v1.0/me`;
 *   - every ID token MSAL returns verified with jose against the JWKS named by the authority's discovery.
 *
 * MSAL runs in a child process started with NODE_EXTRA_CA_CERTS=<the emulator's local CA> (Node reads it only at
 * start-up); this process drives Chromium. Each test starts its own emulator; they share one data directory,
 * hence one local CA, so one MSAL process serves them all. Tokens never leave the child: it reports decoded
 * claims and the outcome of its checks.
 */
import * as assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  createSelfSignedKey,
  type EmulatorOptions,
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  startEmulator,
} from '../src/index.ts';
import { type Person, type SignInTrace, signInAtEmulator } from './msal/browser-steps.ts';
import { type DriverCallError, type MsalDriver, startMsalDriver } from './msal/harness.ts';
import type { AppSpec, DeviceCodeInfo, Operation, TokenSummary } from './msal/protocol.ts';
import { launchBrowser } from './support/browser.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const USER_READ = `${GRAPH}/User.Read`;
const API_SCOPE = `api://${SAMPLE_IDS.apiApp}/access_as_user`;
const TEST = { timeout: 90_000 };

let dataDir: string;
let caCertFile: string;
let caPem: string;
let browser: Browser;
let driver: MsalDriver;
let appCounter = 0;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokenloop-msal-'));
  // A first start writes the local CA into the data directory; every emulator below reuses it.
  const bootstrap = await startEmulator({ https: true, dataDir });
  caCertFile = bootstrap.caCertFile!;
  await bootstrap.close();
  caPem = await readFile(caCertFile, 'utf8');
  // Chromium has no NSS database to add the CA to here; instead it trusts exactly the emulator's server key
  // (signed by that CA, shared by every emulator of this file through the data directory).
  const serverPem = await readFile(join(dirname(caCertFile), 'server.pem'), 'utf8');
  assert.ok(
    new X509Certificate(serverPem).verify(new X509Certificate(caPem).publicKey),
    'server cert from the CA',
  );
  const spki = createHash('sha256')
    .update(new X509Certificate(serverPem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  [browser, driver] = await Promise.all([
    launchBrowser([`--ignore-certificate-errors-spki-list=${spki}`]),
    startMsalDriver(caCertFile),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), driver?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Setup {
  emulator: RunningEmulator;
  page: Page;
  origin: string;
  person(name: string): Person;
  /** Registers an MSAL app in the driver under a fresh name. */
  app(spec: Omit<AppSpec, 'name'>): Promise<string>;
}

/** A fresh https emulator (same CA) and a fresh browser context for one test; both closed afterwards. */
async function withSetup(
  options: Omit<EmulatorOptions, 'https' | 'dataDir'>,
  fn: (s: Setup) => Promise<void>,
) {
  const emulator = await startEmulator({ ...options, https: true, dataDir });
  const context = await browser.newContext();
  try {
    assert.equal(emulator.caCertFile, caCertFile, 'every emulator of this file serves the same local CA');
    assert.match(emulator.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await context.newPage();
    await fn({
      emulator,
      page,
      origin: emulator.url,
      person: (name) => {
        const u = emulator.directory().users.find((x) => x.username.startsWith(`${name}@`));
        assert.ok(u, `sample user ${name}`);
        return { username: u.username, password: u.password };
      },
      app: async (spec) => {
        const name = `app-${++appCounter}`;
        await driver.call({ op: 'createApp', app: { ...spec, name } });
        return name;
      },
    });
  } finally {
    await context.close();
    await emulator.close();
  }
}

/** Asserts the ID token verified against the emulator's JWKS and names `user` of `tenant` for `clientId`. */
function assertIdToken(s: Setup, r: TokenSummary, clientId: string, tenant: string, userId: string): void {
  const id = r.idToken;
  assert.ok(id, 'MSAL returned an ID token');
  assert.equal(id.verified, true, `ID token verifies with jose against ${id.jwksUri}: ${id.error ?? ''}`);
  assert.match(id.jwksUri, new RegExp(`^${s.origin.replace(/[.]/g, '\\.')}/[^/]+/discovery/v2\\.0/keys$`));
  assert.equal(id.header?.alg, 'RS256');
  assert.equal(typeof id.header?.kid, 'string');
  assert.equal(id.claims?.iss, `${s.origin}/${tenant}/v2.0`);
  assert.equal(id.claims?.aud, clientId);
  assert.equal(id.claims?.tid, tenant);
  assert.equal(id.claims?.oid, userId);
  assert.equal(id.claims?.ver, '2.0');
  // MSAL parsed the same token.
  assert.equal(r.msalIdTokenClaims?.oid, userId);
  assert.equal(r.msalIdTokenClaims?.aud, clientId);
}

function assertAccount(s: Setup, r: TokenSummary, username: string, userId: string, tenant: string): void {
  assert.ok(r.account, 'the result names an account');
  assert.equal(r.account.username, username);
  assert.equal(r.account.homeAccountId, `${userId}.${tenant}`, 'home account id = uid.utid from client_info');
  assert.equal(r.account.localAccountId, userId);
  assert.equal(r.account.tenantId, tenant);
  assert.equal(r.account.environment, new URL(s.origin).host);
  assert.equal(r.tenantId, tenant);
  assert.equal(r.uniqueId, userId);
}

function tokenRequests(e: RunningEmulator, grant: string, clientId: string): number {
  return e.stats().token_requests[grant]?.[clientId] ?? 0;
}

/** Runs a driver call that needs a browser; waits for both the MSAL result and the browser to finish. */
async function withBrowser<T>(
  s: Setup,
  person: Person,
  run: (onBrowse: (url: string, userCode?: string) => Promise<void>) => Promise<T>,
): Promise<{ result: T; trace: SignInTrace; startUrl: URL }> {
  let browsing: Promise<SignInTrace> | undefined;
  let startUrl: URL | undefined;
  const result = await run((url, userCode) => {
    startUrl = new URL(url);
    browsing = signInAtEmulator(s.page, url, s.origin, person, userCode);
    return browsing.then(() => {});
  });
  assert.ok(browsing && startUrl, 'MSAL asked for a browser');
  return { result, trace: await browsing, startUrl };
}

/** Auth code + PKCE through getAuthCodeUrl / acquireTokenByCode, the pages in Chromium. */
function signInByCode(
  s: Setup,
  app: string,
  person: Person,
  scopes: string[],
  extra: {
    redirectPath?: string;
    redirectHost?: '127.0.0.1' | 'localhost';
    responseMode?: 'query' | 'form_post';
    callMe?: boolean;
  } = {},
) {
  return withBrowser(s, person, (onBrowse) =>
    driver.call<TokenSummary>(
      {
        op: 'signInByCode',
        app,
        scopes,
        redirectPath: extra.redirectPath ?? '/',
        ...(extra.redirectHost ? { redirectHost: extra.redirectHost } : {}),
        ...(extra.responseMode ? { responseMode: extra.responseMode } : {}),
        ...(extra.callMe ? { callMe: true } : {}),
      },
      { onBrowse },
    ),
  );
}

/** POSTs JSON to the emulator's admin API over https, trusting only the emulator's CA. */
async function adminPost(s: Setup, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const res = await undiciFetch(`${s.origin}/_emulator${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.json() };
  } finally {
    await dispatcher.close();
  }
}

function hexThumbprint(pem: string, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(new X509Certificate(pem).raw).digest('hex');
}

describe('MSAL Node against the emulator over https', { timeout: 600_000 }, () => {
  it(
    'auth code + PKCE: PublicClientApplication.getAuthCodeUrl → Chromium login and consent → acquireTokenByCode',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const alice = s.person('alice');
        const app = await s.app({
          kind: 'public',
          clientId: SAMPLE_IDS.publicApp,
          authority: `${s.origin}/${T}`,
        });
        const { result, trace, startUrl } = await signInByCode(s, app, alice, [USER_READ], {
          redirectHost: 'localhost',
          callMe: true,
        });

        // What MSAL put into the authorize request.
        assert.equal(`${startUrl.origin}${startUrl.pathname}`, `${s.origin}/${T}/oauth2/v2.0/authorize`);
        const q = startUrl.searchParams;
        assert.equal(q.get('client_id'), SAMPLE_IDS.publicApp);
        assert.equal(q.get('response_type'), 'code');
        assert.equal(q.get('response_mode'), 'query');
        assert.equal(q.get('code_challenge_method'), 'S256');
        assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
        assert.equal(q.get('client_info'), '1');
        const redirectUri = q.get('redirect_uri') ?? '';
        assert.match(redirectUri, /^http:\/\/localhost:\d+\/$/, 'a loopback redirect URI on a random port');
        assert.match(q.get('state') ?? '', /\S/, 'MSAL sends the state');
        for (const scope of ['openid', 'profile', 'offline_access', USER_READ])
          assert.ok(q.get('scope')?.split(' ').includes(scope), `authorize scope has ${scope}`);

        assert.deepEqual(
          trace.seen,
          ['Sign in', 'Permissions requested'],
          'the login page, then the consent page',
        );
        assert.deepEqual(trace.arrivals, [`GET ${redirectUri}`], 'redirected to the app with a GET');
        assert.equal(result.fromCache, false);
        assert.equal(result.tokenType, 'Bearer');
        assert.ok(
          result.scopes.some((x) => x.toLowerCase() === USER_READ.toLowerCase()),
          `scopes ${result.scopes.join(' ')}`,
        );
        assert.ok(
          result.expiresIn !== null && result.expiresIn > 3000,
          'default access token lifetime (about 1 h)',
        );
        assertAccount(s, result, alice.username, SAMPLE_IDS.alice, T);
        assertIdToken(s, result, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.alice);
        assert.equal(result.idToken?.claims?.preferred_username, alice.username);
        assert.match(q.get('nonce') ?? '', /\S/, 'MSAL sent a nonce');
        assert.equal(result.idToken?.claims?.nonce, q.get('nonce'), 'the ID token carries the nonce sent');

        const at = result.accessToken;
        assert.ok(at, 'the access token is a JWT');
        assert.equal(at.claims.aud, GRAPH);
        assert.equal(at.claims.appid, SAMPLE_IDS.publicApp);
        assert.equal(at.claims.oid, SAMPLE_IDS.alice);
        assert.ok(String(at.claims.scp).split(' ').includes('User.Read'));
        assert.deepEqual(result.me, {
          status: 200,
          id: SAMPLE_IDS.alice,
          userPrincipalName: alice.username,
          displayName: 'Alice Adams',
        });
        assert.equal(tokenRequests(s.emulator, 'authorization_code', SAMPLE_IDS.publicApp), 1);
      });
    },
  );

  it(
    'acquireTokenSilent: cached token first; forceRefresh redeems the refresh token for a new access token',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const alice = s.person('alice');
        const app = await s.app({
          kind: 'public',
          clientId: SAMPLE_IDS.publicApp,
          authority: `${s.origin}/${T}`,
        });
        const { result: first } = await signInByCode(s, app, alice, [USER_READ]);
        s.emulator.resetStats();

        const silent: Extract<Operation, { op: 'silent' }> = {
          op: 'silent',
          app,
          username: alice.username,
          scopes: [USER_READ],
        };
        const cached = await driver.call<TokenSummary>(silent);
        assert.equal(cached.fromCache, true);
        assert.equal(cached.accessToken?.claims.uti, first.accessToken?.claims.uti, 'the same access token');
        assert.deepEqual(s.emulator.stats().token_requests, {}, 'no request reached the token endpoint');

        const refreshed = await driver.call<TokenSummary>({ ...silent, forceRefresh: true, callMe: true });
        assert.equal(refreshed.fromCache, false);
        assert.notEqual(
          refreshed.accessToken?.claims.uti,
          first.accessToken?.claims.uti,
          'a new access token',
        );
        assert.equal(refreshed.accessToken?.claims.aud, GRAPH);
        assert.deepEqual(s.emulator.stats().token_requests, { refresh_token: { [SAMPLE_IDS.publicApp]: 1 } });
        assertAccount(s, refreshed, alice.username, SAMPLE_IDS.alice, T);
        assertIdToken(s, refreshed, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.alice);
        assert.equal(refreshed.me?.status, 200);
        assert.equal(refreshed.me?.id, SAMPLE_IDS.alice);

        // The new tokens went into MSAL's cache: the next silent call is served from it.
        const next = await driver.call<TokenSummary>(silent);
        assert.equal(next.fromCache, true);
        assert.equal(next.accessToken?.claims.uti, refreshed.accessToken?.claims.uti);
        assert.equal(tokenRequests(s.emulator, 'refresh_token', SAMPLE_IDS.publicApp), 1);

        // A resource alice never consented to: the refresh token is refused and MSAL asks for interaction.
        await assert.rejects(driver.call({ ...silent, scopes: [API_SCOPE] }), (err: DriverCallError) => {
          assert.equal(err.errorName, 'InteractionRequiredAuthError', err.message);
          assert.equal(err.errorCode, 'invalid_grant');
          assert.equal(err.subError, 'consent_required');
          assert.match(err.message, /AADSTS65001/);
          return true;
        });

        // Revoked grants: the refresh token stops working, which MSAL also reports as interaction required.
        assert.ok(s.emulator.revokeUserGrants('alice') >= 1);
        await assert.rejects(driver.call({ ...silent, forceRefresh: true }), (err: DriverCallError) => {
          assert.equal(err.errorName, 'InteractionRequiredAuthError', err.message);
          assert.equal(err.errorCode, 'invalid_grant');
          assert.equal(err.subError, 'bad_token');
          assert.match(err.message, /AADSTS50173/);
          return true;
        });
      });
    },
  );

  it(
    'acquireTokenSilent refreshes on its own once the access token has expired (accessTokenLifetime 2 s)',
    TEST,
    async () => {
      await withSetup({ accessTokenLifetime: 2 }, async (s) => {
        const bob = s.person('bob');
        const app = await s.app({
          kind: 'public',
          clientId: SAMPLE_IDS.publicApp,
          authority: `${s.origin}/${T}`,
        });
        const { result: first } = await signInByCode(s, app, bob, [USER_READ]);
        assert.ok(first.expiresIn !== null && first.expiresIn <= 2, `expires in ${first.expiresIn} s`);
        s.emulator.resetStats();
        await new Promise((r) => setTimeout(r, 2500));

        const later = await driver.call<TokenSummary>({
          op: 'silent',
          app,
          username: bob.username,
          scopes: [USER_READ],
          callMe: true,
        });
        assert.equal(later.fromCache, false, 'the expired token was not served from the cache');
        assert.notEqual(later.accessToken?.claims.uti, first.accessToken?.claims.uti);
        assert.deepEqual(s.emulator.stats().token_requests, { refresh_token: { [SAMPLE_IDS.publicApp]: 1 } });
        assert.equal(later.me?.status, 200, 'the refreshed token works right away');
        assertIdToken(s, later, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.bob);
      });
    },
  );

  it(
    'web app: ConfidentialClientApplication with a client secret, /organizations, response_mode=form_post',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const bob = s.person('bob');
        const app = await s.app({
          kind: 'confidential',
          clientId: SAMPLE_IDS.webApp,
          authority: `${s.origin}/organizations`,
          clientSecret: SAMPLE_SECRETS.webApp,
        });
        const { result, trace, startUrl } = await signInByCode(s, app, bob, [USER_READ], {
          redirectPath: '/auth/callback',
          responseMode: 'form_post',
          callMe: true,
        });
        assert.equal(startUrl.pathname, '/organizations/oauth2/v2.0/authorize');
        assert.equal(startUrl.searchParams.get('response_mode'), 'form_post');
        const redirectUri = startUrl.searchParams.get('redirect_uri') ?? '';
        assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
        assert.deepEqual(trace.seen, ['Sign in', 'Permissions requested']);
        assert.deepEqual(trace.arrivals, [`POST ${redirectUri}`], 'the response was POSTed to the app');
        assertAccount(s, result, bob.username, SAMPLE_IDS.bob, T);
        assertIdToken(s, result, SAMPLE_IDS.webApp, T, SAMPLE_IDS.bob);
        assert.equal(result.accessToken?.claims.appid, SAMPLE_IDS.webApp);
        assert.equal(result.accessToken?.claims.appidacr, '1', 'the client authenticated with its secret');
        assert.equal(result.me?.status, 200);
        assert.equal(result.me?.userPrincipalName, bob.username);
        assert.equal(tokenRequests(s.emulator, 'authorization_code', SAMPLE_IDS.webApp), 1);
      });
    },
  );

  it(
    'acquireTokenInteractive: openBrowser drives Chromium, MSAL’s own loopback server receives the form_post',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const carol = s.person('carol');
        const app = await s.app({
          kind: 'public',
          clientId: SAMPLE_IDS.publicApp,
          authority: `${s.origin}/organizations`,
        });
        const { result, trace, startUrl } = await withBrowser(s, carol, (onBrowse) =>
          driver.call<TokenSummary>(
            { op: 'signInInteractive', app, scopes: ['User.Read'], callMe: true },
            { onBrowse },
          ),
        );
        const landing = await s.page.locator('h1').textContent();
        assert.equal(startUrl.pathname, '/organizations/oauth2/v2.0/authorize');
        assert.equal(startUrl.searchParams.get('response_mode'), 'form_post');
        assert.equal(startUrl.searchParams.get('code_challenge_method'), 'S256');
        const redirectUri = startUrl.searchParams.get('redirect_uri') ?? '';
        assert.match(redirectUri, /^http:\/\/localhost:\d+$/, 'MSAL’s loopback redirect URI');
        assert.deepEqual(trace.seen, ['Sign in', 'Permissions requested']);
        assert.deepEqual(trace.arrivals, [`POST ${redirectUri}/`]);
        assert.equal(landing, 'Signed in to the MSAL test app', 'the browser shows MSAL’s success template');
        const fabrikam = SAMPLE_IDS.fabrikam;
        assertAccount(s, result, carol.username, SAMPLE_IDS.carol, fabrikam);
        assertIdToken(s, result, SAMPLE_IDS.publicApp, fabrikam, SAMPLE_IDS.carol);
        assert.equal(result.accessToken?.claims.aud, GRAPH, 'a bare User.Read means Microsoft Graph');
        assert.equal(result.me?.status, 200);
        assert.equal(result.me?.id, SAMPLE_IDS.carol);
      });
    },
  );

  it('device code: the user code entered at /devicelogin in Chromium', TEST, async () => {
    await withSetup({ settings: { deviceCodeInterval: 1 } }, async (s) => {
      const bob = s.person('bob');
      const app = await s.app({
        kind: 'public',
        clientId: SAMPLE_IDS.publicApp,
        authority: `${s.origin}/organizations`,
      });
      let info: DeviceCodeInfo | undefined;
      const { result, trace } = await withBrowser(s, bob, (onBrowse) =>
        driver.call<TokenSummary>(
          { op: 'signInByDeviceCode', app, scopes: [USER_READ], callMe: true },
          {
            onDeviceCode: (i) => {
              info = i;
              return onBrowse(i.verificationUri, i.userCode);
            },
          },
        ),
      );
      assert.ok(info, 'deviceCodeCallback ran');
      assert.equal(info.verificationUri, `${s.origin}/devicelogin`);
      assert.equal(info.interval, 1);
      assert.ok(info.message.includes(info.userCode) && info.message.includes(info.verificationUri));
      assert.deepEqual(trace.seen, [
        'Enter code',
        'Sign in',
        'Are you trying to sign in to Sample native app?',
        'Permissions requested',
        'Signed in',
      ]);
      assert.deepEqual(trace.arrivals, [], 'the device flow never sends the browser to the app');
      assertAccount(s, result, bob.username, SAMPLE_IDS.bob, T);
      assertIdToken(s, result, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.bob);
      assert.equal(result.me?.status, 200);
      assert.equal(result.me?.id, SAMPLE_IDS.bob);
      assert.ok(tokenRequests(s.emulator, 'device_code', SAMPLE_IDS.publicApp) >= 2, 'MSAL polled');
    });
  });

  it('device code: an auto-login emulator completes it without a browser', TEST, async () => {
    await withSetup({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } }, async (s) => {
      const app = await s.app({
        kind: 'public',
        clientId: SAMPLE_IDS.publicApp,
        authority: `${s.origin}/${T}`,
      });
      let called = 0;
      const result = await driver.call<TokenSummary>(
        { op: 'signInByDeviceCode', app, scopes: [USER_READ], callMe: true },
        {
          onDeviceCode: async () => {
            called++;
          },
        },
      );
      assert.equal(called, 1);
      assertAccount(s, result, 'alice@contoso.onmicrosoft.com', SAMPLE_IDS.alice, T);
      assertIdToken(s, result, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.alice);
      assert.equal(result.me?.status, 200);
      assert.equal(
        tokenRequests(s.emulator, 'device_code', SAMPLE_IDS.publicApp),
        1,
        'approved at the first poll',
      );
    });
  });

  it(
    'client credentials with a client secret: app roles in the token, then served from MSAL’s cache',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const app = await s.app({
          kind: 'confidential',
          clientId: SAMPLE_IDS.daemonApp,
          authority: `${s.origin}/${T}`,
          clientSecret: SAMPLE_SECRETS.daemonApp,
        });
        const graph = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app,
          scopes: [`${GRAPH}/.default`],
        });
        assert.equal(graph.fromCache, false);
        assert.equal(graph.idToken, null);
        assert.equal(graph.account, null);
        const c = graph.accessToken?.claims;
        assert.ok(c);
        assert.equal(c.aud, GRAPH);
        assert.equal(c.iss, `${s.origin}/${T}/`, 'a v1 token (Graph): the v1 issuer');
        assert.deepEqual(c.roles, ['User.Read.All']);
        assert.equal(c.idtyp, 'app');
        assert.equal(c.appid, SAMPLE_IDS.daemonApp);
        assert.equal(c.appidacr, '1', 'authenticated with a secret');
        assert.equal(c.tid, T);
        assert.equal(c.scp, undefined);

        const again = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app,
          scopes: [`${GRAPH}/.default`],
        });
        assert.equal(again.fromCache, true);
        assert.equal(tokenRequests(s.emulator, 'client_credentials', SAMPLE_IDS.daemonApp), 1);

        const api = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app,
          scopes: [`api://${SAMPLE_IDS.apiApp}/.default`],
        });
        assert.equal(
          api.accessToken?.claims.aud,
          SAMPLE_IDS.apiApp,
          'a v2 token: aud is the API’s client id',
        );
        assert.equal(api.accessToken?.claims.iss, `${s.origin}/${T}/v2.0`);
        assert.deepEqual(api.accessToken?.claims.roles, ['Data.Read.All']);
        assert.equal(api.accessToken?.claims.azp, SAMPLE_IDS.daemonApp);
        assert.equal(tokenRequests(s.emulator, 'client_credentials', SAMPLE_IDS.daemonApp), 2);
      });
    },
  );

  it(
    'client credentials with a certificate registered by addApp (thumbprintSha256); a wrong key is refused',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const cert = await createSelfSignedKey('msal-test-daemon');
        const registered = s.emulator.addApp({
          name: 'MSAL certificate daemon',
          type: 'daemon',
          tenant: T,
          certificates: [cert.certificatePem],
          applicationPermissions: { [GRAPH]: ['User.Read.All'] },
        });
        const app = await s.app({
          kind: 'confidential',
          clientId: registered.clientId,
          authority: `${s.origin}/${T}`,
          clientCertificate: {
            thumbprintSha256: hexThumbprint(cert.certificatePem, 'sha256'),
            privateKey: cert.privateKeyPem,
          },
        });
        const result = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app,
          scopes: [`${GRAPH}/.default`],
        });
        const c = result.accessToken?.claims;
        assert.ok(c);
        assert.equal(c.appid, registered.clientId);
        assert.equal(c.appidacr, '2', 'authenticated with a certificate');
        assert.deepEqual(c.roles, ['User.Read.All']);
        assert.equal(c.tid, T);
        assert.equal(tokenRequests(s.emulator, 'client_credentials', registered.clientId), 1);

        // Same thumbprint, another private key: the assertion's signature does not verify.
        const other = await createSelfSignedKey('msal-test-impostor');
        const impostor = await s.app({
          kind: 'confidential',
          clientId: registered.clientId,
          authority: `${s.origin}/${T}`,
          clientCertificate: {
            thumbprintSha256: hexThumbprint(cert.certificatePem, 'sha256'),
            privateKey: other.privateKeyPem,
          },
        });
        await assert.rejects(
          driver.call({ op: 'clientCredentials', app: impostor, scopes: [`${GRAPH}/.default`] }),
          (err: Error & { errorCode?: string }) => {
            assert.equal(err.errorCode, 'invalid_client');
            assert.match(err.message, /AADSTS700027/);
            return true;
          },
        );
      });
    },
  );

  it(
    'client credentials with a certificate added through the admin REST API (SHA-1 thumbprint)',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const registered = s.emulator.addApp({
          name: 'MSAL late certificate daemon',
          type: 'daemon',
          tenant: T,
          applicationPermissions: { [`api://${SAMPLE_IDS.apiApp}`]: ['Data.Read.All'] },
        });
        const cert = await createSelfSignedKey('msal-test-daemon-sha1');
        const added = await adminPost(s, `/api/apps/${registered.clientId}/certificates`, {
          certificatePem: cert.certificatePem,
        });
        assert.equal(added.status, 201);
        const app = await s.app({
          kind: 'confidential',
          clientId: registered.clientId,
          authority: `${s.origin}/${T}`,
          clientCertificate: {
            thumbprint: hexThumbprint(cert.certificatePem, 'sha1'),
            privateKey: cert.privateKeyPem,
          },
        });
        const result = await driver.call<TokenSummary>({
          op: 'clientCredentials',
          app,
          scopes: [`api://${SAMPLE_IDS.apiApp}/.default`],
        });
        const c = result.accessToken?.claims;
        assert.ok(c);
        assert.equal(c.aud, SAMPLE_IDS.apiApp);
        assert.equal(c.azp, registered.clientId);
        assert.equal(c.azpacr, '2', 'authenticated with a certificate');
        assert.deepEqual(c.roles, ['Data.Read.All']);
      });
    },
  );

  it(
    'on-behalf-of: the sample API trades the user’s token for Microsoft Graph, which answers /v1.0/me',
    TEST,
    async () => {
      await withSetup({}, async (s) => {
        const alice = s.person('alice');
        const front = await s.app({
          kind: 'public',
          clientId: SAMPLE_IDS.publicApp,
          authority: `${s.origin}/${T}`,
        });
        // One sign-in consents to Graph and to the API; the token comes for the first resource (Graph).
        const { result: signIn } = await signInByCode(s, front, alice, [USER_READ, API_SCOPE]);
        assert.equal(signIn.accessToken?.claims.aud, GRAPH, 'the first resource of the request');
        assertIdToken(s, signIn, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.alice);
        s.emulator.resetStats();

        // The front end's token for the API comes silently, from the refresh token.
        const user = await driver.call<TokenSummary>({
          op: 'silent',
          app: front,
          username: alice.username,
          scopes: [API_SCOPE],
        });
        assert.equal(user.fromCache, false);
        assert.deepEqual(s.emulator.stats().token_requests, { refresh_token: { [SAMPLE_IDS.publicApp]: 1 } });
        assert.equal(
          user.accessToken?.claims.aud,
          SAMPLE_IDS.apiApp,
          'a token for the API (v2: aud = its client id)',
        );
        assert.equal(user.accessToken?.claims.iss, `${s.origin}/${T}/v2.0`);
        assert.equal(user.accessToken?.claims.scp, 'access_as_user');
        assert.equal(user.accessToken?.claims.azp, SAMPLE_IDS.publicApp);
        assertIdToken(s, user, SAMPLE_IDS.publicApp, T, SAMPLE_IDS.alice);

        const api = await s.app({
          kind: 'confidential',
          clientId: SAMPLE_IDS.apiApp,
          authority: `${s.origin}/${T}`,
          clientSecret: SAMPLE_SECRETS.apiApp,
        });
        const request: Extract<Operation, { op: 'onBehalfOf' }> = {
          op: 'onBehalfOf',
          app: api,
          fromApp: front,
          username: alice.username,
          fromScopes: [API_SCOPE],
          scopes: [USER_READ],
          callMe: true,
        };
        const obo = await driver.call<TokenSummary>(request);
        assert.equal(obo.fromCache, false);
        assertAccount(s, obo, alice.username, SAMPLE_IDS.alice, T);
        assertIdToken(s, obo, SAMPLE_IDS.apiApp, T, SAMPLE_IDS.alice);
        const c = obo.accessToken?.claims;
        assert.ok(c);
        assert.equal(c.aud, GRAPH);
        assert.equal(c.appid, SAMPLE_IDS.apiApp, 'issued to the API');
        assert.equal(c.oid, SAMPLE_IDS.alice, 'for the same user');
        assert.ok(String(c.scp).split(' ').includes('User.Read'));
        assert.deepEqual(obo.me, {
          status: 200,
          id: SAMPLE_IDS.alice,
          userPrincipalName: alice.username,
          displayName: 'Alice Adams',
        });
        assert.deepEqual(s.emulator.stats().token_requests, {
          refresh_token: { [SAMPLE_IDS.publicApp]: 1 },
          'jwt-bearer': { [SAMPLE_IDS.apiApp]: 1 },
        });

        // The same incoming token again: MSAL serves the OBO result from its cache.
        const again = await driver.call<TokenSummary>({ ...request, callMe: false });
        assert.equal(again.fromCache, true);
        assert.equal(again.accessToken?.claims.uti, c.uti);
        assert.equal(tokenRequests(s.emulator, 'jwt-bearer', SAMPLE_IDS.apiApp), 1);
      });
    },
  );
});
