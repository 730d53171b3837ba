/**
 * Web frameworks' own Microsoft Entra ID integrations against the emulator, unchanged apart from the issuer, with
 * a person signing in at the emulator's pages in real headless Chromium:
 *   - Auth.js: `@auth/core`'s `microsoft-entra-id` provider in `@auth/express`;
 *   - Auth0's `express-openid-connect` (code flow, client secret, RP-initiated logout).
 * Both apps (frameworks/apps.ts) run in this process on http loopback, against one emulator over https (Auth.js's
 * Entra provider repeats discovery for the token's tenant over https only). The apps' own requests are recorded
 * and trust the emulator's CA (frameworks/outbound.ts), and Auth.js's photo request to Microsoft Graph goes to
 * the emulator's Graph.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { type RunningEmulator, SAMPLE_IDS } from '../src/index.ts';
import {
  type AppRegistration,
  type FrameworkApp,
  startAuthJsApp,
  startExpressOpenIdConnectApp,
} from './frameworks/apps.ts';
import { type Outbound, routeOutbound } from './frameworks/outbound.ts';
import { signInAtEmulator } from './spa/msal-page.ts';
import { type TrustedHttps, trustedHttps } from './spa/trusted-https.ts';
import { launchBrowser } from './support/browser.ts';

const T = SAMPLE_IDS.contoso;
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const GRAPH = 'https://graph.microsoft.com';
const TEST = { timeout: 60_000 };
const STEP = { timeout: 15_000 };

let https: TrustedHttps;
let e: RunningEmulator;
let browser: Browser;
let outbound: Outbound;

before(async () => {
  https = await trustedHttps();
  [e, browser] = await Promise.all([https.start(), launchBrowser([https.chromiumFlag])]);
  outbound = routeOutbound(e.url, await readFile(e.caCertFile!, 'utf8'));
});

after(async () => {
  await outbound?.restore();
  await Promise.allSettled([browser?.close(), e?.close()]);
  await https?.close();
});

/**
 * A web app registration in Contoso with a client secret; redirect URIs on loopback match on any port. The
 * issuer is Contoso's, or `common`'s for a multi-tenant app.
 */
function register(name: string, redirectPath: string, authority: string = T): AppRegistration {
  const clientSecret = randomBytes(24).toString('base64url');
  const app = e.addApp({
    name,
    type: 'web',
    tenant: T,
    ...(authority === 'common' ? { signInAudience: 'AzureADMultipleOrgs' as const } : {}),
    secret: clientSecret,
    redirectUris: [`http://127.0.0.1${redirectPath}`],
    postLogoutRedirectUris: ['http://127.0.0.1/'],
    delegatedPermissions: { [GRAPH]: ['User.Read'] },
  });
  return {
    issuer: `${e.url}/${authority}/v2.0`,
    clientId: app.clientId,
    clientSecret,
    sessionSecret: randomBytes(32).toString('base64url'),
  };
}

/** What the app's `GET /me` says, with the browser's cookies. */
async function me(context: BrowserContext, app: FrameworkApp): Promise<Record<string, unknown>> {
  const res = await context.request.get(`${app.origin}/me`, STEP);
  assert.equal(res.status(), 200);
  return (await res.json()) as Record<string, unknown>;
}

/** Paths (below the emulator's origin) of the top-level navigations `page` makes to the emulator. */
function emulatorNavigations(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (req.isNavigationRequest() && u.origin === e.url) paths.push(`${req.method()} ${u.pathname}`);
  });
  return paths;
}

/** The app's requests to the emulator since `from`, without the origin. */
function appRequests(from: number): string[] {
  return outbound.seen.slice(from).map((s) => s.replace(` ${e.url}`, ' '));
}

/** The emulator's count of token requests by grant, for one app. */
function tokenRequestsOf(clientId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [grant, byClient] of Object.entries(e.stats().token_requests))
    if (byClient[clientId]) out[grant] = byClient[clientId];
  return out;
}

function assertAlice(session: Record<string, unknown> | undefined): void {
  assert.ok(session, 'a signed-in user');
  assert.equal(session.name, 'Alice Adams');
  assert.equal(session.email, ALICE.username);
  assert.equal(session.oid, SAMPLE_IDS.alice);
}

/** Auth.js's sign-in, session and sign-out, with the provider's issuer at `authority` (a tenant, or `common`). */
async function authJsSignIn(authority: string): Promise<void> {
  const reg = register(`Auth.js app (${authority})`, '/auth/callback/microsoft-entra-id', authority);
  const app = await startAuthJsApp(reg);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const navigations = emulatorNavigations(page);
    const from = outbound.seen.length;
    const graphFrom = outbound.graphAnswers.length;
    await page.goto(`${app.origin}/auth/signin`, STEP);
    await page.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click(STEP);
    assert.deepEqual(await signInAtEmulator(page, e.url, ALICE), ['Sign in', 'Permissions requested']);
    await page.waitForURL((u) => u.origin === app.origin && !u.pathname.startsWith('/auth/callback'), STEP);
    assert.ok(!page.url().includes('/auth/error'), `Auth.js reported an error: ${page.url()}`);

    const session = await me(context, app);
    const user = session.user as Record<string, unknown> | undefined;
    assertAlice(user);
    // The provider's photo request reached the emulator's Graph with the access token, which Graph accepted;
    // Alice has no photo.
    assert.deepEqual(outbound.graphAnswers.slice(graphFrom), ['404 ImageNotFound']);
    assert.equal(user?.image, null, 'no photo');
    assert.deepEqual(navigations.slice(0, 1), [`GET /${authority}/oauth2/v2.0/authorize`]);
    // Discovery for the sign-in, again for the callback, and once more for the tenant in the ID token's `tid`
    // (the provider's way to serve multi-tenant apps: the issuer checked is that tenant's); then the photo.
    const discovery = (tenant: string) => `GET /${tenant}/v2.0/.well-known/openid-configuration`;
    assert.deepEqual(appRequests(from), [
      discovery(authority),
      discovery(authority),
      `POST /${authority}/oauth2/v2.0/token`,
      discovery(T),
      `GET ${GRAPH}/v1.0/me/photos/48x48/$value`,
    ]);
    assert.deepEqual(tokenRequestsOf(reg.clientId), { authorization_code: 1 });

    await page.goto(`${app.origin}/auth/signout`, STEP);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/auth/signout'), STEP),
      page.getByRole('button', { name: 'Sign out' }).click(STEP),
    ]);
    assert.deepEqual(await me(context, app), {}, 'signed out of the app');
    // Auth.js has no RP-initiated logout: the emulator's session stays, as Entra's would.
    const sso = (await context.cookies(e.url)).map((c) => c.name);
    assert.ok(sso.includes('tokenloop_sso'), `the emulator's session cookie stays: ${sso.join(', ')}`);
  } finally {
    await context.close();
    await app.close();
  }
}

describe('web frameworks’ Entra ID providers against the emulator', () => {
  it(
    'Auth.js: the microsoft-entra-id provider (@auth/express) signs in at the emulator’s pages with a tenant-specific issuer; the session holds name, email and oid; sign-out ends the app’s session',
    TEST,
    () => authJsSignIn(T),
  );

  it(
    'Auth.js: a multi-tenant app with the `common` issuer signs in: the provider puts `common` into the discovery document’s {tenantid} issuer, then validates the ID token against the discovery of the token’s own `tid`',
    TEST,
    () => authJsSignIn('common'),
  );

  it(
    'express-openid-connect: code flow with a client secret signs in at the emulator’s pages; req.oidc.user holds name, email and oid; idpLogout signs out at the emulator’s end_session_endpoint and returns to the app',
    TEST,
    async () => {
      const reg = register('express-openid-connect app', '/callback');
      const app = await startExpressOpenIdConnectApp(reg);
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const navigations = emulatorNavigations(page);
        const from = outbound.seen.length;
        await page.goto(`${app.origin}/login`, STEP);
        assert.deepEqual(await signInAtEmulator(page, e.url, ALICE), ['Sign in']);
        await page.waitForURL((u) => u.origin === app.origin && u.pathname === '/', STEP);

        const user = await me(context, app);
        assertAlice(user);
        assert.equal(user.tid, T);
        assert.deepEqual(navigations.slice(0, 1), [`GET /${T}/oauth2/v2.0/authorize`]);
        assert.deepEqual(appRequests(from), [
          `GET /${T}/v2.0/.well-known/openid-configuration`,
          `POST /${T}/oauth2/v2.0/token`,
        ]);
        assert.deepEqual(tokenRequestsOf(reg.clientId), { authorization_code: 1 });

        await page.goto(`${app.origin}/logout`, STEP);
        // The logout request names the user and the app (id_token_hint): the emulator signs out without asking
        // and sends the browser back to the app.
        assert.equal(new URL(page.url()).origin, app.origin, `ended at ${page.url()}`);
        assert.ok(navigations.includes(`GET /${T}/oauth2/v2.0/logout`), navigations.join(', '));
        assert.deepEqual(await me(context, app), {}, 'signed out of the app');
        // The emulator's session ended too: signing in again asks for the password.
        await page.goto(`${app.origin}/login`, STEP);
        await page.waitForURL((u) => u.origin === e.url, STEP);
        assert.equal(await page.locator('h1').first().textContent(STEP), 'Sign in');
      } finally {
        await context.close();
        await app.close();
      }
    },
  );
});
