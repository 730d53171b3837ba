/**
 * Single-page applications at the token endpoint, as Entra treats them (sources in docs/emulator-fidelity.md):
 * a code issued to a redirect URI of the `spa` platform may only be redeemed cross-origin (the request names
 * its `Origin`) and only then carries CORS headers; everything else refuses an `Origin` (AADSTS9002326); SPA
 * refresh tokens live a fixed 24 hours from sign-in. Plain HTTP with the headers a browser page would send
 * (Chromium and Microsoft's own msal-browser drive the same rules in spa-msal-browser.test.ts).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../src/context.ts';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { ROUTES } from '../src/routes.ts';
import { aadsts, allowOrigin, codeFor, type TokenAnswer, tokenCall } from './spa/token-calls.ts';

const T = SAMPLE_IDS.contoso;
const PAGE = 'http://localhost:3000';
/** The sample SPA's redirect URI, on another port (loopback redirect URIs match on any port). */
const SPA_REDIRECT = 'http://localhost:5173/';
const NATIVE_REDIRECT = 'http://127.0.0.1:45678/';
const API = `api://${SAMPLE_IDS.apiApp}`;

function assertRefused(a: TokenAnswer, code: number, what: string): void {
  assert.equal(a.status, 400, `${what}: status (${String(a.body.error_description)})`);
  assert.equal(a.body.error, 'invalid_request', `${what}: error`);
  assert.equal(aadsts(a), code, `${what}: AADSTS${code} (${String(a.body.error_description)})`);
}

describe('single-page apps at the token endpoint', () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
  });
  after(() => e.close());

  it('SPA: a code issued to a spa redirect URI, redeemed cross-origin, gives tokens readable by the page (CORS); so does its refresh token', async () => {
    const { code, verifier } = await codeFor(e, T, SAMPLE_IDS.spaApp, SPA_REDIRECT);
    const redeemed = await tokenCall(
      e,
      T,
      {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.spaApp,
        code,
        redirect_uri: SPA_REDIRECT,
        code_verifier: verifier!,
        scope: 'openid profile offline_access User.Read',
      },
      PAGE,
      // msal-browser sends its correlation id in the token URL's query, so the request needs no preflight.
      '?client-request-id=7e0c3a1b-4d2f-4a8e-9c6b-1f2e3d4c5b6a',
    );
    assert.equal(redeemed.status, 200, String(redeemed.body.error_description));
    assert.equal(allowOrigin(redeemed), '*');
    assert.equal(typeof redeemed.body.refresh_token, 'string');
    const refreshed = await tokenCall(
      e,
      T,
      {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.spaApp,
        refresh_token: redeemed.body.refresh_token as string,
        scope: 'openid profile offline_access User.Read',
      },
      PAGE,
    );
    assert.equal(refreshed.status, 200, String(refreshed.body.error_description));
    assert.equal(allowOrigin(refreshed), '*');
  });

  it('SPA: without Origin (a server redeeming) the spa code and the spa refresh token are refused (AADSTS9002327)', async () => {
    const first = await codeFor(e, T, SAMPLE_IDS.spaApp, SPA_REDIRECT);
    const redeem = {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.spaApp,
      code: first.code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: first.verifier!,
    };
    const server = await tokenCall(e, T, redeem);
    assertRefused(server, 9002327, 'spa code without Origin');
    assert.equal(allowOrigin(server), null);
    const page = await tokenCall(e, T, redeem, PAGE);
    assert.equal(page.status, 200, 'the same code, redeemed by the page, still works');
    const rt = page.body.refresh_token as string;
    const serverRefresh = await tokenCall(e, T, {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.spaApp,
      refresh_token: rt,
    });
    assertRefused(serverRefresh, 9002327, 'spa refresh token without Origin');
  });

  it('SPA: a spa code issued without PKCE is refused, cross-origin or not (AADSTS9002325)', async () => {
    for (const origin of [PAGE, undefined]) {
      const { code } = await codeFor(e, T, SAMPLE_IDS.spaApp, SPA_REDIRECT, { noPkce: true });
      const a = await tokenCall(
        e,
        T,
        { grant_type: 'authorization_code', client_id: SAMPLE_IDS.spaApp, code, redirect_uri: SPA_REDIRECT },
        origin,
      );
      assertRefused(a, 9002325, `no PKCE, ${origin ? 'with' : 'without'} Origin`);
    }
  });

  it('SPA: a code issued to a web or mobile-and-desktop redirect URI, redeemed cross-origin, is refused naming the origin (AADSTS9002326), without CORS headers', async () => {
    const cases = [
      { label: 'public client, loopback redirect', clientId: SAMPLE_IDS.publicApp, uri: NATIVE_REDIRECT },
      {
        label: 'web app, no secret sent',
        clientId: SAMPLE_IDS.webApp,
        uri: 'http://127.0.0.1:3000/auth/callback',
      },
    ];
    for (const c of cases) {
      const { code, verifier } = await codeFor(e, T, c.clientId, c.uri);
      const a = await tokenCall(
        e,
        T,
        {
          grant_type: 'authorization_code',
          client_id: c.clientId,
          code,
          redirect_uri: c.uri,
          code_verifier: verifier!,
        },
        PAGE,
      );
      assertRefused(a, 9002326, c.label);
      assert.match(String(a.body.error_description), /Request origin: 'http:\/\/localhost:3000'/);
      assert.equal(allowOrigin(a), null, `${c.label}: no CORS headers, the page cannot read the answer`);
    }
  });

  it('SPA: a confidential client never authenticates in the presence of Origin, even with a spa code (AADSTS9002326); without its secret it redeems the spa code as a public client', async () => {
    const app = e.addApp({
      name: 'Web app with a SPA platform',
      type: 'web',
      tenant: T,
      secret: 'web-and-spa-secret-0001',
      redirectUris: ['https://app.contoso.example/signin-oidc'],
      spaRedirectUris: ['https://app.contoso.example/spa'],
      delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'] },
      adminConsented: true,
    });
    const spa = 'https://app.contoso.example/spa';
    const { code, verifier } = await codeFor(e, T, app.clientId, spa);
    const redeem = {
      grant_type: 'authorization_code',
      client_id: app.clientId,
      code,
      redirect_uri: spa,
      code_verifier: verifier!,
    };
    const withSecret = await tokenCall(
      e,
      T,
      { ...redeem, client_secret: 'web-and-spa-secret-0001' },
      'https://app.contoso.example',
    );
    assertRefused(withSecret, 9002326, 'secret with Origin');
    const asSpa = await tokenCall(e, T, redeem, 'https://app.contoso.example');
    assert.equal(asSpa.status, 200, String(asSpa.body.error_description));
    assert.equal(allowOrigin(asSpa), '*');
  });

  it('SPA sweep: every grant the token endpoint knows refuses a request naming an Origin (AADSTS9002326) unless it redeems a spa grant; the same request without Origin succeeds', async () => {
    // Consent for the native app (auto-login records it), a non-SPA refresh token, and an access token for the API.
    const native = await codeFor(e, T, SAMPLE_IDS.publicApp, NATIVE_REDIRECT, {
      scope: `openid profile offline_access ${API}/access_as_user`,
    });
    const nativeTokens = await tokenCall(e, T, {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.publicApp,
      code: native.code,
      redirect_uri: NATIVE_REDIRECT,
      code_verifier: native.verifier!,
    });
    assert.equal(nativeTokens.status, 200, String(nativeTokens.body.error_description));
    const deviceCode = async () => {
      const res = await fetch(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'User.Read offline_access' }),
      });
      return ((await res.json()) as { device_code: string }).device_code;
    };
    const requests: Record<string, () => Promise<Record<string, string>>> = {
      authorization_code: async () => {
        const c = await codeFor(e, T, SAMPLE_IDS.publicApp, NATIVE_REDIRECT);
        return {
          client_id: SAMPLE_IDS.publicApp,
          code: c.code,
          redirect_uri: NATIVE_REDIRECT,
          code_verifier: c.verifier!,
        };
      },
      refresh_token: async () => ({
        client_id: SAMPLE_IDS.publicApp,
        refresh_token: nativeTokens.body.refresh_token as string,
      }),
      client_credentials: async () => ({
        client_id: SAMPLE_IDS.daemonApp,
        client_secret: SAMPLE_SECRETS.daemonApp,
        scope: 'https://graph.microsoft.com/.default',
      }),
      device_code: async () => ({ client_id: SAMPLE_IDS.publicApp, device_code: await deviceCode() }),
      'urn:ietf:params:oauth:grant-type:device_code': async () => ({
        client_id: SAMPLE_IDS.publicApp,
        device_code: await deviceCode(),
      }),
      password: async () => ({
        client_id: SAMPLE_IDS.publicApp,
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
        scope: `${API}/access_as_user`,
      }),
      'urn:ietf:params:oauth:grant-type:jwt-bearer': async () => ({
        client_id: SAMPLE_IDS.apiApp,
        client_secret: SAMPLE_SECRETS.apiApp,
        assertion: nativeTokens.body.access_token as string,
        requested_token_use: 'on_behalf_of',
        scope: 'https://graph.microsoft.com/User.Read',
      }),
    };
    // Every grant type the token endpoint dispatches on is in the table: a new grant must take a side here.
    const source = await readFile(join(import.meta.dirname, '..', 'src', 'endpoints', 'token.ts'), 'utf8');
    const dispatched = [...source.matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
    assert.ok(dispatched.length >= 7, 'found the dispatch of token.ts');
    assert.deepEqual([...dispatched].sort(), Object.keys(requests).sort());
    for (const [grantType, make] of Object.entries(requests)) {
      const params = { grant_type: grantType, ...(await make()) };
      const fromPage = await tokenCall(e, T, params, PAGE);
      assertRefused(fromPage, 9002326, `${grantType} with Origin`);
      assert.equal(allowOrigin(fromPage), null, `${grantType}: no CORS headers`);
      const fromServer = await tokenCall(e, T, params);
      assert.equal(
        fromServer.status,
        200,
        `${grantType} without Origin: ${String(fromServer.body.error_description)}`,
      );
    }
  });

  it('SPA: the Origin of the emulator’s own token endpoint is no exception (a same-origin page is still a browser)', async () => {
    const a = await tokenCall(
      e,
      T,
      {
        grant_type: 'client_credentials',
        client_id: SAMPLE_IDS.daemonApp,
        client_secret: SAMPLE_SECRETS.daemonApp,
        scope: 'https://graph.microsoft.com/.default',
      },
      e.url,
    );
    assertRefused(a, 9002326, 'client credentials from a page of the emulator itself');
  });
});

describe('single-page apps: refresh tokens with a fixed lifetime', () => {
  it('SPA: refresh tokens live a fixed 24 hours from sign-in by default', () => {
    assert.equal(DEFAULT_SETTINGS.spaRefreshTokenLifetime, 24 * 3600);
  });

  it('SPA: a spa refresh token keeps its sign-in’s expiry through every refresh, then is refused with AADSTS700084 (invalid_grant, bad_token) readable by the page; other refresh tokens are unaffected', async () => {
    const e = await startEmulator({ autoLogin: 'alice', settings: { spaRefreshTokenLifetime: 3 } });
    try {
      const signedInAt = Date.now();
      const { code, verifier } = await codeFor(e, T, SAMPLE_IDS.spaApp, SPA_REDIRECT);
      const first = await tokenCall(
        e,
        T,
        {
          grant_type: 'authorization_code',
          client_id: SAMPLE_IDS.spaApp,
          code,
          redirect_uri: SPA_REDIRECT,
          code_verifier: verifier!,
        },
        PAGE,
      );
      assert.equal(first.status, 200);
      const native = await codeFor(e, T, SAMPLE_IDS.publicApp, NATIVE_REDIRECT);
      const nativeTokens = await tokenCall(e, T, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code: native.code,
        redirect_uri: NATIVE_REDIRECT,
        code_verifier: native.verifier!,
      });
      assert.equal(nativeTokens.status, 200);
      const refresh = (rt: unknown) =>
        tokenCall(
          e,
          T,
          { grant_type: 'refresh_token', client_id: SAMPLE_IDS.spaApp, refresh_token: rt as string },
          PAGE,
        );
      await new Promise((r) => setTimeout(r, 1000));
      const second = await refresh(first.body.refresh_token);
      assert.equal(second.status, 200, 'within the lifetime');
      assert.notEqual(second.body.refresh_token, first.body.refresh_token, 'a new refresh token');
      await new Promise((r) => setTimeout(r, signedInAt + 3500 - Date.now()));
      // The new refresh token is no younger: it expires with its sign-in.
      const late = await refresh(second.body.refresh_token);
      assert.equal(late.status, 400);
      assert.equal(late.body.error, 'invalid_grant');
      assert.equal(aadsts(late), 700084, String(late.body.error_description));
      assert.equal(late.body.suberror, 'bad_token', 'MSAL may renew it silently (hidden iframe)');
      assert.match(String(late.body.error_description), /single page app/i);
      assert.equal(allowOrigin(late), '*', 'the page can read why');
      const nativeLater = await tokenCall(e, T, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.publicApp,
        refresh_token: nativeTokens.body.refresh_token as string,
      });
      assert.equal(nativeLater.status, 200, 'a non-SPA refresh token slides on');
    } finally {
      await e.close();
    }
  });
});

describe('single-page apps: CORS of the other endpoints', () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({});
  });
  after(() => e.close());

  it('SPA: discovery, JWKS and instance discovery answer any page (Access-Control-Allow-Origin *, GET, OPTIONS) as Entra does', async () => {
    for (const path of [
      `/${T}/v2.0/.well-known/openid-configuration`,
      '/organizations/v2.0/.well-known/openid-configuration',
      `/${T}/discovery/v2.0/keys`,
      `/${T}/discovery/keys`,
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${e.url}/${T}/oauth2/v2.0/authorize`)}`,
    ]) {
      const res = await fetch(`${e.url}${path}`, { headers: { origin: PAGE } });
      assert.equal(res.status, 200, path);
      assert.equal(allowOrigin(res), '*', path);
      assert.equal(res.headers.get('access-control-allow-methods'), 'GET, OPTIONS', path);
      assert.equal(res.headers.get('cache-control'), 'max-age=86400, private', path);
      await res.arrayBuffer();
      const preflight = await fetch(`${e.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: PAGE, 'access-control-request-method': 'GET' },
      });
      assert.ok(preflight.ok, `${path}: preflight answered`);
      assert.equal(allowOrigin(preflight), '*', `${path}: preflight allows the page`);
    }
  });

  it('SPA: Graph-shaped /v1.0/me and /oidc/userinfo answer a page’s bearer call (preflight for Authorization granted, Access-Control-Allow-Origin *)', async () => {
    const token = await tokenCall(e, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(token.status, 200);
    for (const path of ['/v1.0/me', '/oidc/userinfo']) {
      const preflight = await fetch(`${e.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: PAGE,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(allowOrigin(preflight), '*', `${path}: preflight`);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /\bAuthorization\b/i);
      await preflight.arrayBuffer();
      // An app-only token: /v1.0/me refuses it, and the page can read why.
      const res = await fetch(`${e.url}${path}`, {
        headers: { origin: PAGE, authorization: `Bearer ${token.body.access_token as string}` },
      });
      assert.equal(allowOrigin(res), '*', `${path}: answer`);
      await res.arrayBuffer();
    }
  });

  it('SPA sweep: every route of the route table grants a page’s preflight exactly when the table allows it CORS (the admin API and the pages never)', async () => {
    let checked = 0;
    for (const route of ROUTES) {
      const path = route.pattern.source
        .replace(/^\^|\$$/g, '')
        .replaceAll('\\/', '/')
        .replaceAll('([^/]+)', T)
        .replaceAll('(?:/.*)?', '/stats')
        .replace(/\(\?:([^|()]+)(?:\|[^()]*)?\)/g, '$1') // (?:a|b) → a
        .replaceAll('/?', '/') // an optional final slash
        .replaceAll('\\.', '.')
        .replaceAll('\\$', '$'); // Graph's `/$value`
      assert.ok(route.pattern.test(path), `a path for ${route.pattern.source}: ${path}`);
      const preflight = await fetch(`${e.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: PAGE, 'access-control-request-method': route.methods[0]! },
      });
      await preflight.arrayBuffer();
      assert.equal(
        allowOrigin(preflight),
        route.cors ? '*' : null,
        `${path}: preflight ${route.cors ? 'granted' : 'refused'}`,
      );
      if (route.cors) assert.equal(preflight.headers.get('access-control-allow-methods'), route.cors.methods);
      checked++;
    }
    assert.equal(checked, ROUTES.length);
    assert.ok(ROUTES.some((r) => r.cors) && ROUTES.some((r) => !r.cors), 'both kinds in the table');
  });

  it('SPA: the interactive endpoints (authorize, logout, device code) send no CORS headers and grant no preflight', async () => {
    const authorize = await fetch(
      `${e.url}/${T}/oauth2/v2.0/authorize?client_id=${SAMPLE_IDS.spaApp}&response_type=code&redirect_uri=${encodeURIComponent(SPA_REDIRECT)}&scope=openid`,
      { headers: { origin: PAGE }, redirect: 'manual' },
    );
    assert.equal(allowOrigin(authorize), null, 'authorize');
    await authorize.arrayBuffer();
    const device = await fetch(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      headers: { origin: PAGE },
      body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'User.Read' }),
    });
    assert.equal(device.status, 200);
    assert.equal(allowOrigin(device), null, 'devicecode');
    await device.arrayBuffer();
    for (const path of [
      `/${T}/oauth2/v2.0/authorize`,
      `/${T}/oauth2/v2.0/logout`,
      `/${T}/oauth2/v2.0/devicecode`,
    ]) {
      const preflight = await fetch(`${e.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: PAGE, 'access-control-request-method': 'POST' },
      });
      assert.equal(allowOrigin(preflight), null, `${path}: no preflight permission`);
      await preflight.arrayBuffer();
    }
  });
});

describe('single-page apps in the directory config', () => {
  it('SPA: the sample directory has a single-page app with spa redirect URIs, listed as such', async () => {
    const e = await startEmulator({});
    try {
      const spa = e.directory().apps.find((a) => a.clientId === SAMPLE_IDS.spaApp);
      assert.ok(spa, 'sample SPA app');
      assert.equal(spa.type, 'spa');
      assert.ok(spa.spaRedirectUris?.includes('http://localhost:3000'));
      assert.equal(spa.secret, undefined);
    } finally {
      await e.close();
    }
  });

  it('SPA: spa apps have no credentials and keep their redirect URIs on the spa platform; spa redirect URIs follow the redirect URI rules', async () => {
    const tenants = [{ domain: 'a.example' }];
    const refused: [unknown, RegExp][] = [
      [{ name: 's', type: 'spa', secret: 'abcdefghij' }, /single-page app cannot have a secret/],
      [{ name: 's', type: 'spa', redirectUris: ['https://a.example/'] }, /spaRedirectUris/],
      [{ name: 's', type: 'spa', spaRedirectUris: ['http://a.example/'] }, /must use https/],
      [
        { name: 'd', type: 'daemon', spaRedirectUris: ['https://a.example/'] },
        /daemon app has no redirect URIs/,
      ],
      [
        {
          name: 'w',
          type: 'web',
          redirectUris: ['https://a.example/'],
          spaRedirectUris: ['https://a.example/'],
        },
        /both/,
      ],
    ];
    for (const [app, message] of refused) {
      await assert.rejects(
        startEmulator({ config: { tenants, apps: [app as never] } }),
        (err: Error) => err.name === 'EmulatorOptionsError' && message.test(err.message),
        JSON.stringify(app),
      );
    }
  });
});
