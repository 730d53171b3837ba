/**
 * Microsoft's own @azure/msal-browser (v5) in a small single-page app, unchanged apart from its `authority` and
 * `knownAuthorities`, against the emulator over https, in real headless Chromium. The app is served by the test
 * on `http://localhost:<port>`, another site than the emulator's `https://127.0.0.1:<port>`, so every call to
 * the emulator is cross-origin and its SSO cookie in MSAL's hidden iframe is a third-party cookie:
 *   - loginPopup (the emulator's sign-in and consent pages in MSAL's popup), then acquireTokenSilent served
 *     from MSAL's cache (no token request, by the emulator's /_emulator/stats) and, once the access token
 *     counts as expired, exactly one refresh — cross-origin, `client-request-id` in the URL, no preflight;
 *   - Graph's /v1.0/me called from the page with the cached token, as Microsoft's SPA samples do;
 *   - ssoSilent on a fresh page: a hidden cross-site iframe with prompt=none, signed in by the SSO cookie;
 *   - the MFA scenario switch: InteractionRequiredAuthError from acquireTokenSilent and ssoSilent;
 *   - a single-page app's refresh token past its fixed lifetime (AADSTS700084): MSAL renews in the iframe;
 *   - loginRedirect and logoutRedirect, after which silent sign-in needs interaction;
 *   - a redirect URI registered as web: the page cannot redeem its code (no CORS headers).
 * Tokens stay in the page: it hands the test decoded claims and MSAL's error fields only.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { Agent, fetch as undiciFetch } from 'undici';
import { type RunningEmulator, SAMPLE_IDS } from '../src/index.ts';
import { SHORT_LIFETIME, tokenRequests, untilMsalExpiry } from './msal/cache-cases.ts';
import {
  cachedAccounts,
  callApi,
  type MsalOutcome,
  msal,
  openApp,
  recordTokenRequests,
  settled,
  signInAtEmulator,
  type TokenRequestSeen,
} from './spa/msal-page.ts';
import { launchRegularProfile, type RegularProfile } from './spa/regular-profile.ts';
import { type SpaServer, startSpaServer } from './spa/spa-app.ts';
import { type TrustedHttps, trustedHttps } from './spa/trusted-https.ts';

const T = SAMPLE_IDS.contoso;
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const GRAPH = 'https://graph.microsoft.com';
const TEST = { timeout: 120_000 };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let https: TrustedHttps;

before(async () => {
  https = await trustedHttps();
});

after(async () => {
  await https?.close();
});

/** One emulator, one SPA registration (spa redirect URI on loopback, any port) and the app's server. */
interface Rig {
  e: RunningEmulator;
  caPem: string;
  clientId: string;
  spa: SpaServer;
  /** The browser's requests to the token endpoint, in every context opened with `context()`. */
  seen: TokenRequestSeen[];
  /**
   * A fresh Chromium with a profile of its own (spa/regular-profile.ts) trusting the emulator; third-party
   * cookies allowed unless said otherwise.
   */
  context(opts?: { thirdPartyCookies: boolean }): Promise<BrowserContext>;
  /** This app's token requests by grant, from the emulator's /_emulator/stats over https. */
  requests(): Promise<Record<string, number>>;
  /** CORS preflights the emulator received, from /_emulator/stats. */
  preflights(): Promise<number>;
  close(): Promise<void>;
}

async function rig(
  options: Parameters<TrustedHttps['start']>[0],
  registration: { platform: 'spa' | 'web' } = { platform: 'spa' },
): Promise<Rig> {
  const e = await https.start({ accessTokenLifetime: SHORT_LIFETIME, ...options });
  const caPem = await readFile(e.caCertFile!, 'utf8');
  const app = e.addApp({
    name: 'msal-browser test SPA',
    type: registration.platform,
    tenant: T,
    // Loopback redirect URIs match on any port: the app's server picks a free one.
    ...(registration.platform === 'spa'
      ? { spaRedirectUris: ['http://localhost/redirect'] }
      : { redirectUris: ['http://localhost/redirect'] }),
    postLogoutRedirectUris: ['http://localhost/'],
    delegatedPermissions: { [GRAPH]: ['User.Read'] },
  });
  const spa = await startSpaServer({ clientId: app.clientId, authority: `${e.url}/${T}` });
  const profiles: RegularProfile[] = [];
  const seen: TokenRequestSeen[] = [];
  return {
    e,
    caPem,
    clientId: app.clientId,
    spa,
    seen,
    async context(opts = { thirdPartyCookies: true }) {
      const profile = await launchRegularProfile([https.chromiumFlag], opts);
      profiles.push(profile);
      recordTokenRequests(profile.context, e.url, seen);
      return profile.context;
    },
    requests: () => tokenRequests(e, caPem, app.clientId),
    preflights: async () => (await emulatorStats(e, caPem)).cors_preflights,
    async close() {
      await Promise.allSettled(profiles.map((p) => p.close()));
      await spa.close();
      await e.close();
    },
  };
}

/** `GET /_emulator/stats` over https, trusting only the emulator's local CA. */
async function emulatorStats(e: RunningEmulator, caPem: string): Promise<{ cors_preflights: number }> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const res = await undiciFetch(`${e.url}/_emulator/stats`, {
      dispatcher,
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { cors_preflights: number };
  } finally {
    await dispatcher.close();
  }
}

function ok(r: MsalOutcome, what: string): MsalOutcome {
  assert.ok(!r.failed, `${what}: ${r.name} ${r.errorCode} ${r.subError ?? ''} ${r.message ?? ''}`);
  return r;
}

/** loginPopup in `page`, with the person signing in in MSAL's popup. Returns the result and the pages seen. */
async function loginPopup(
  r: Rig,
  page: Page,
  request: Record<string, unknown>,
): Promise<{ result: MsalOutcome; pages: string[] }> {
  const popup = page.context().waitForEvent('page', { timeout: 15_000 });
  const result = msal(page, 'loginPopup', request);
  const pages = await signInAtEmulator(await popup, r.e.url, ALICE);
  return { result: await result, pages };
}

describe('msal-browser against the emulator: popup, cache, refresh, silent SSO, MFA', () => {
  let r: Rig;
  let context: BrowserContext;
  before(async () => {
    r = await rig({});
    context = await r.context();
  });
  after(() => r?.close());

  it(
    'msal-browser: loginPopup signs in on the emulator’s pages; acquireTokenSilent is served from MSAL’s cache (0 token requests); after expiry exactly 1 refresh, cross-origin with client-request-id in the URL and no preflight',
    TEST,
    async () => {
      const page = await context.newPage();
      assert.equal(await openApp(page, r.spa.appUrl), null, 'no redirect to handle');
      const { result, pages } = await loginPopup(r, page, { scopes: ['User.Read'] });
      // MSAL timed the token from its request, which was before now.
      const signedInBy = Date.now();
      ok(result, 'loginPopup');
      assert.deepEqual(pages, ['Sign in', 'Permissions requested']);
      assert.equal(result.username, ALICE.username);
      assert.equal(result.idTokenClaims?.aud, r.clientId);
      assert.equal(result.idTokenClaims?.oid, SAMPLE_IDS.alice);
      assert.equal(result.accessTokenClaims?.aud, GRAPH);
      assert.deepEqual(await r.requests(), { authorization_code: 1 });

      await settled(r.seen);
      assert.equal(r.seen.length, 1, 'one token request: the code redemption');
      const redemption = r.seen[0]!;
      assert.equal(redemption.method, 'POST');
      assert.equal(redemption.headers.origin, r.spa.origin, 'sent cross-origin, naming the page');
      assert.match(
        redemption.url.searchParams.get('client-request-id') ?? '',
        GUID,
        'correlation id in the URL',
      );

      const before = await r.requests();
      for (let i = 0; i < 3; i++) {
        const again = ok(await msal(page, 'acquireTokenSilent', { scopes: ['User.Read'] }, true), 'silent');
        assert.equal(again.fromCache, true, `silent call ${i + 1} served from MSAL's cache`);
        assert.equal(again.accessTokenClaims?.uti, result.accessTokenClaims?.uti);
      }
      assert.deepEqual(await r.requests(), before, 'no token request while the token is valid');

      await untilMsalExpiry(signedInBy);
      const later = ok(
        await msal(page, 'acquireTokenSilent', { scopes: ['User.Read'] }, true),
        'after expiry',
      );
      assert.equal(later.fromCache, false, 'the expired token is not served');
      assert.notEqual(later.accessTokenClaims?.uti, result.accessTokenClaims?.uti, 'a new access token');
      assert.deepEqual(
        await r.requests(),
        { authorization_code: 1, refresh_token: 1 },
        'exactly one refresh',
      );
      await settled(r.seen);
      const refresh = r.seen.at(-1)!;
      assert.equal(refresh.headers.origin, r.spa.origin, 'the refresh names the page’s origin');
      assert.match(refresh.url.searchParams.get('client-request-id') ?? '', GUID);
      const next = ok(
        await msal(page, 'acquireTokenSilent', { scopes: ['User.Read'] }, true),
        'cached again',
      );
      assert.equal(next.fromCache, true);
      assert.equal(await r.preflights(), 0, 'msal-browser never needed a CORS preflight');

      // The samples' next step: Graph's /me from the page, with the cached token (its Authorization header
      // takes a preflight, which the emulator's Graph grants as Graph does).
      const me = await callApi(page, `${r.e.url}/v1.0/me`, ['User.Read']);
      assert.equal(me.status, 200, JSON.stringify(me));
      assert.equal(me.body?.id, SAMPLE_IDS.alice);
      assert.equal(me.body?.displayName, 'Alice Adams');
      assert.equal(await r.preflights(), 1, 'the Graph call’s preflight');
      assert.deepEqual(
        await r.requests(),
        { authorization_code: 1, refresh_token: 1 },
        'still from the cache',
      );
      await page.close();
    },
  );

  it(
    'msal-browser: ssoSilent on a fresh page signs in through a hidden cross-site iframe with prompt=none, on the emulator’s SSO cookie alone (SameSite=None; Secure)',
    TEST,
    async () => {
      const sso = (await context.cookies(r.e.url)).find((c) => c.name === 'tokenloop_sso');
      assert.ok(sso, 'the sign-in left an SSO cookie');
      assert.equal(sso.sameSite, 'None', 'sent in third-party contexts');
      assert.equal(sso.secure, true);
      const page = await context.newPage();
      await openApp(page, r.spa.appUrl);
      assert.deepEqual(await cachedAccounts(page), [], 'a new tab: MSAL’s session cache is empty');
      const frames: { prompt: string | null; inFrame: boolean; withCookie: boolean }[] = [];
      const watch = (req: Request) => {
        const u = new URL(req.url());
        if (u.origin !== r.e.url || !u.pathname.endsWith('/oauth2/v2.0/authorize')) return;
        void req.allHeaders().then((h) =>
          frames.push({
            prompt: u.searchParams.get('prompt'),
            inFrame: req.frame().parentFrame() !== null,
            withCookie: /(?:^|;\s*)tokenloop_sso=/.test(h.cookie ?? ''),
          }),
        );
      };
      context.on('request', watch);
      const pagesBefore = context.pages().length;
      const before = await r.requests();
      const raw = await msal(page, 'ssoSilent', { scopes: ['User.Read'], loginHint: ALICE.username });
      const result = ok(raw, 'ssoSilent');
      context.off('request', watch);
      assert.equal(result.username, ALICE.username);
      assert.equal(result.fromCache, false);
      assert.equal(context.pages().length, pagesBefore, 'no window opened');
      assert.deepEqual(frames, [{ prompt: 'none', inFrame: true, withCookie: true }]);
      assert.deepEqual(await r.requests(), {
        ...before,
        authorization_code: (before.authorization_code ?? 0) + 1,
      });
      await page.close();
    },
  );

  it(
    'msal-browser: with MFA required (scenario switch) the silent refresh and ssoSilent throw InteractionRequiredAuthError',
    TEST,
    async () => {
      const page = await context.newPage();
      await openApp(page, r.spa.appUrl);
      ok(await msal(page, 'ssoSilent', { scopes: ['User.Read'], loginHint: ALICE.username }), 'signed in');
      r.e.setScenarios({ user: 'alice' }, { mfaRequired: true });
      try {
        const refresh = await msal(
          page,
          'acquireTokenSilent',
          { scopes: ['User.Read'], forceRefresh: true },
          true,
        );
        assert.equal(refresh.failed, true);
        assert.equal(refresh.interactionRequired, true, `${refresh.name} ${refresh.errorCode}`);
        assert.equal(refresh.subError, 'basic_action');
        const silent = await msal(page, 'ssoSilent', { scopes: ['User.Read'], loginHint: ALICE.username });
        assert.equal(silent.failed, true);
        assert.equal(silent.interactionRequired, true, `${silent.name} ${silent.errorCode}`);
        assert.equal(silent.errorCode, 'interaction_required');
      } finally {
        r.e.setScenarios({ user: 'alice' }, {});
      }
      await page.close();
    },
  );
});

describe('msal-browser against the emulator: redirect and sign-out', () => {
  it(
    'msal-browser: loginRedirect signs in on the emulator’s pages and handleRedirectPromise returns the account; logoutRedirect ends the SSO session, after which ssoSilent needs interaction (login_required)',
    TEST,
    async () => {
      const r = await rig({});
      try {
        const context = await r.context();
        const page = await context.newPage();
        await openApp(page, r.spa.appUrl);
        const started = msal(page, 'loginRedirect', { scopes: ['User.Read'] }).catch(() => ({}));
        assert.deepEqual(await signInAtEmulator(page, r.e.url, ALICE), ['Sign in', 'Permissions requested']);
        void started;
        await page.waitForURL((u) => u.href === r.spa.appUrl, { timeout: 15_000 });
        const back = await page.evaluate(
          () => (window as unknown as { spa: { ready: Promise<MsalOutcome | null> } }).spa.ready,
        );
        assert.ok(back, 'handleRedirectPromise returned the sign-in');
        ok(back, 'loginRedirect');
        assert.equal(back.username, ALICE.username);
        assert.equal(back.accessTokenClaims?.aud, GRAPH);
        assert.deepEqual(await cachedAccounts(page), [ALICE.username]);

        void msal(page, 'logoutRedirect', {}, true).catch(() => ({}));
        // msal-browser names neither the app nor an id_token_hint: the emulator asks before it signs out.
        const pages = await signInAtEmulator(page, r.e.url, ALICE);
        assert.deepEqual(pages, ['Sign out', 'You have signed out']);
        await openApp(page, r.spa.appUrl);
        assert.deepEqual(await cachedAccounts(page), [], 'MSAL forgot the account');
        const silent = await msal(page, 'ssoSilent', { scopes: ['User.Read'], loginHint: ALICE.username });
        assert.equal(silent.failed, true);
        assert.equal(silent.interactionRequired, true, `${silent.name} ${silent.errorCode}`);
        assert.equal(silent.errorCode, 'login_required');
      } finally {
        await r.close();
      }
    },
  );
});

describe('msal-browser against the emulator: the limits of a single-page app', () => {
  it(
    'msal-browser: where the browser blocks third-party cookies (Chromium’s default) the hidden iframe does not see the SSO cookie: ssoSilent needs interaction (login_required), as against Entra',
    TEST,
    async () => {
      const r = await rig({});
      try {
        const context = await r.context({ thirdPartyCookies: false });
        const page = await context.newPage();
        await openApp(page, r.spa.appUrl);
        ok((await loginPopup(r, page, { scopes: ['User.Read'] })).result, 'loginPopup (a top-level window)');
        const fresh = await context.newPage();
        await openApp(fresh, r.spa.appUrl);
        const silent = await msal(fresh, 'ssoSilent', { scopes: ['User.Read'], loginHint: ALICE.username });
        assert.equal(silent.failed, true);
        assert.equal(silent.interactionRequired, true, `${silent.name} ${silent.errorCode}`);
        assert.equal(silent.errorCode, 'login_required');
      } finally {
        await r.close();
      }
    },
  );

  it(
    'msal-browser: past the fixed lifetime of a single-page app’s refresh token (AADSTS700084) acquireTokenSilent renews in the hidden iframe with the SSO cookie',
    TEST,
    async () => {
      const r = await rig({ settings: { spaRefreshTokenLifetime: 3 } });
      try {
        const context = await r.context();
        const statuses: number[] = [];
        context.on('response', (res) => {
          if (new URL(res.url()).pathname.endsWith('/oauth2/v2.0/token')) statuses.push(res.status());
        });
        const page = await context.newPage();
        await openApp(page, r.spa.appUrl);
        const { result } = await loginPopup(r, page, { scopes: ['User.Read'] });
        const signedInBy = Date.now();
        ok(result, 'loginPopup');
        await untilMsalExpiry(signedInBy);
        const renewed = ok(
          await msal(page, 'acquireTokenSilent', { scopes: ['User.Read'] }, true),
          'renewed',
        );
        assert.equal(renewed.fromCache, false);
        assert.equal(renewed.username, ALICE.username);
        assert.deepEqual(
          await r.requests(),
          { authorization_code: 2, refresh_token: 1 },
          'the refresh was refused, then a code from the hidden iframe',
        );
        // The page read the refusal (AADSTS700084 carries CORS headers), so MSAL knew to renew.
        assert.deepEqual(statuses, [200, 400, 200]);
      } finally {
        await r.close();
      }
    },
  );

  it(
    'msal-browser: an app whose redirect URI is registered as web cannot redeem its code from the page: the emulator refuses it (AADSTS9002326) without CORS headers and the sign-in fails',
    TEST,
    async () => {
      const r = await rig({}, { platform: 'web' });
      try {
        const context = await r.context();
        const failed: string[] = [];
        context.on('requestfailed', (req) => {
          if (new URL(req.url()).pathname.endsWith('/oauth2/v2.0/token')) failed.push(req.method());
        });
        const page = await context.newPage();
        await openApp(page, r.spa.appUrl);
        const { result } = await loginPopup(r, page, { scopes: ['User.Read'] });
        assert.equal(result.failed, true, 'the sign-in fails');
        // The answer reached the browser without CORS headers: to the page the request simply failed.
        assert.equal(result.errorCode, 'post_request_failed', `${result.name}: ${result.message}`);
        // msal-browser retries a failed POST once.
        assert.ok(failed.length > 0 && failed.every((m) => m === 'POST'), `failed: ${failed.join(', ')}`);
        assert.deepEqual(
          await r.requests(),
          { authorization_code: failed.length },
          'each reached the emulator, which answered (and refused)',
        );
        assert.deepEqual(await cachedAccounts(page), []);
      } finally {
        await r.close();
      }
    },
  );
});
