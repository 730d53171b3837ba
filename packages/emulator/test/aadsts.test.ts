import * as assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import {
  createSelfSignedKey,
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  startEmulator,
  thumbprints,
} from '../src/index.ts';
import { authorizeUrl, pkce, postForm } from './support/flows.ts';
import { hiddenTx, withEmulator } from './support/harness.ts';
import { txCookieJar } from './support/tx-cookies.ts';

/*
 * Every AADSTS error the emulator can produce, provoked over HTTP and checked against Entra's wire shape
 * (as observed from Entra): JSON at the token and device code endpoints, the
 * error page where the client or redirect URI cannot be trusted, and the redirect back to the client for the
 * rest of the authorize errors.
 */

const T = SAMPLE_IDS.contoso;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const PUBLIC_REDIRECT = 'http://127.0.0.1:45999/';
const GRAPH_SCOPE = 'openid profile offline_access https://graph.microsoft.com/User.Read';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/;
const TIMEOUT = { timeout: 30_000 };

type Json = Record<string, unknown>;

/** Like a browser, keeps the sign-in transaction cookies and sends them back with the page posts. */
const txJar = txCookieJar();

async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const txCookie = txJar.header();
  if (txCookie && new URL(url).pathname.startsWith('/_ui/')) {
    headers.set('cookie', [headers.get('cookie'), txCookie].filter(Boolean).join('; '));
  }
  const res = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...init,
    headers,
  });
  txJar.remember(res.headers.getSetCookie());
  return res;
}

/** A form post as the browser above sends it (its transaction cookies go along to the sign-in pages). */
function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(url, fields, headers, request);
}

function tokenUrl(e: RunningEmulator, tenant: string = T): string {
  return `${e.url}/${tenant}/oauth2/v2.0/token`;
}

function token(e: RunningEmulator, params: Record<string, string>, tenant: string = T, headers = {}) {
  return post(tokenUrl(e, tenant), params, headers);
}

/** A successful token response; on failure, fails with the (token-free) error description. */
async function tokensOf(res: Response): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== 200)
    assert.fail(`token request failed (${res.status}): ${String(body.error_description)}`);
  return body;
}

function assertDescription(description: unknown, code: number): { trace: string; corr: string; ts: string } {
  assert.equal(typeof description, 'string');
  const m =
    /^AADSTS(\d+): (.+)\r\nTrace ID: ([^\r\n]+)\r\nCorrelation ID: ([^\r\n]+)\r\nTimestamp: ([^\r\n]+)$/s.exec(
      description as string,
    );
  assert.ok(m, `error_description has Entra's shape: ${JSON.stringify(description)}`);
  assert.equal(Number(m[1]), code);
  assert.ok(m[2]!.trim().length > 0);
  assert.match(m[3]!, GUID);
  assert.match(m[4]!, GUID);
  assert.match(m[5]!, TIMESTAMP);
  return { trace: m[3]!, corr: m[4]!, ts: m[5]! };
}

interface Expected {
  status: number;
  error: string;
  code: number;
  suberror?: string;
}

/** A JSON error in Entra's shape; returns the body for further checks. */
async function expectError(res: Response, exp: Expected): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, exp.status, `status for AADSTS${exp.code}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/);
  const body = JSON.parse(text) as Json;
  assert.equal(body.error, exp.error);
  assert.deepEqual(body.error_codes, [exp.code]);
  assert.match(String(body.timestamp), TIMESTAMP);
  assert.match(String(body.trace_id), GUID);
  assert.match(String(body.correlation_id), GUID);
  const d = assertDescription(body.error_description, exp.code);
  assert.equal(d.trace, body.trace_id);
  assert.equal(d.corr, body.correlation_id);
  assert.equal(d.ts, body.timestamp);
  assert.equal(body.suberror, exp.suberror, 'suberror');
  return body;
}

/** Entra's own error page: HTML, status 400 (or the 5xx), never a redirect. */
async function expectErrorPage(res: Response, code: number, error: string): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, 400, `status of the AADSTS${code} page`);
  assert.equal(res.headers.get('location'), null, 'no redirect');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('cache-control') ?? '', /\bno-store\b/);
  assert.ok(html.includes(`AADSTS${code}: `), `page names AADSTS${code}`);
  const field = (label: string) =>
    new RegExp(`<dt>${label}</dt><dd class="mono">([^<]*)</dd>`).exec(html)?.[1] ?? '';
  assert.equal(field('Error'), error);
  assert.match(field('Request Id \\(Trace ID\\)'), GUID);
  assert.match(field('Correlation ID'), GUID);
  assert.match(field('Timestamp'), TIMESTAMP);
  return html;
}

/** The parameters of a 302 back to the client (query response mode). */
function redirectParams(res: Response, redirectUri: string): URLSearchParams {
  assert.equal(res.status, 302);
  const location = res.headers.get('location');
  assert.ok(location, 'Location header');
  assert.ok(location.startsWith(redirectUri), `redirects to ${redirectUri}`);
  return new URL(location).searchParams;
}

function expectRedirectError(
  res: Response,
  redirectUri: string,
  exp: { error: string; code: number; state?: string; suberror?: string },
): void {
  const p = redirectParams(res, redirectUri);
  assert.equal(p.get('code'), null);
  assert.equal(p.get('error'), exp.error);
  assertDescription(p.get('error_description'), exp.code);
  assert.equal(p.get('state'), exp.state ?? null);
  assert.equal(p.get('suberror'), exp.suberror ?? null);
}

/** A code from an auto-login emulator (authorize answers 302 straight away). */
async function autoCode(
  e: RunningEmulator,
  o: { clientId: string; redirectUri: string; scope?: string; challenge?: string },
): Promise<string> {
  const res = await request(
    authorizeUrl(e.url, T, {
      client_id: o.clientId,
      response_type: 'code',
      redirect_uri: o.redirectUri,
      scope: o.scope ?? GRAPH_SCOPE,
      state: 's1',
      ...(o.challenge ? { code_challenge: o.challenge, code_challenge_method: 'S256' } : {}),
    }),
  );
  const p = redirectParams(res, o.redirectUri);
  assert.equal(p.get('error'), null, p.get('error_description') ?? '');
  const code = p.get('code');
  assert.ok(code);
  return code;
}

/** Web app tokens (code + PKCE + secret) for alice from an auto-login emulator. */
async function webTokens(e: RunningEmulator): Promise<Json> {
  const { verifier, challenge } = pkce();
  const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT, challenge });
  return tokensOf(
    await token(e, {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.webApp,
      client_secret: SAMPLE_SECRETS.webApp,
      code,
      redirect_uri: WEB_REDIRECT,
      code_verifier: verifier,
    }),
  );
}

function refresh(e: RunningEmulator, refreshToken: unknown) {
  return token(e, {
    grant_type: 'refresh_token',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    refresh_token: String(refreshToken),
  });
}

function ssoCookie(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('tokenloop_sso='));
  assert.ok(set, 'SSO cookie set');
  return set.split(';')[0]!;
}

describe('AADSTS errors at the authorize endpoint: error page, never a redirect', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator();
  });
  after(() => e.close());

  const base = { response_type: 'code', scope: GRAPH_SCOPE, state: 'st' };
  const web = { ...base, client_id: SAMPLE_IDS.webApp };

  /** One authorize request (or several alike) that must end on Entra's error page with this code. */
  interface ErrorPageCase {
    name: string;
    requests: { params: Record<string, string>; tenant?: string }[];
    code: number;
    error: string;
    /** An app scenario switched on for the case (cleared after). */
    appScenario?: { disabled: boolean };
    check?: (html: string) => void;
  }
  const cases: ErrorPageCase[] = [
    {
      name: 'AADSTS50011: redirect URI not registered for the app',
      requests: [
        'https://evil.example.com/cb',
        'http://127.0.0.1:3000/auth/Callback',
        'http://127.0.0.1:3000/auth/callback?x=1',
      ].map((redirect) => ({ params: { ...web, redirect_uri: redirect } })),
      code: 50011,
      error: 'invalid_client',
      check: (html) =>
        assert.doesNotMatch(
          html,
          /(href|action)="[^"]*(evil\.example\.com|auth\/[Cc]allback)/,
          'no way back',
        ),
    },
    {
      name: 'AADSTS500113: the app has no reply address registered',
      requests: [
        { params: { ...base, client_id: SAMPLE_IDS.daemonApp, redirect_uri: 'https://app.example.com/cb' } },
        { params: { ...base, client_id: SAMPLE_IDS.daemonApp } },
      ],
      code: 500113,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS90102: redirect_uri is not an absolute URI',
      requests: ['/auth/callback', 'not a uri'].map((redirect) => ({
        params: { ...web, redirect_uri: redirect },
      })),
      code: 90102,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS700016: unknown application',
      requests: [{ params: { ...base, client_id: randomUUID(), redirect_uri: WEB_REDIRECT } }],
      code: 700016,
      error: 'unauthorized_client',
    },
    {
      name: 'AADSTS900971: no reply address in the request',
      requests: [{ params: web }],
      code: 900971,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS900144: no client_id',
      requests: [{ params: { ...base, redirect_uri: WEB_REDIRECT } }],
      code: 900144,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS90002: unknown tenant',
      requests: [{ params: { ...web, redirect_uri: WEB_REDIRECT }, tenant: 'nosuch.example.com' }],
      code: 90002,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS7000112: disabled application',
      requests: [{ params: { ...web, redirect_uri: WEB_REDIRECT } }],
      code: 7000112,
      error: 'unauthorized_client',
      appScenario: { disabled: true },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      if (c.appScenario) e.setScenarios({ app: SAMPLE_IDS.webApp }, c.appScenario);
      try {
        for (const { params, tenant } of c.requests) {
          const html = await expectErrorPage(
            await request(authorizeUrl(e.url, tenant ?? T, params)),
            c.code,
            c.error,
          );
          c.check?.(html);
        }
      } finally {
        if (c.appScenario) e.setScenarios({ app: SAMPLE_IDS.webApp }, {});
      }
    });
  }
});

describe('AADSTS errors at the authorize endpoint: sent back to the trusted redirect URI', TIMEOUT, () => {
  it('AADSTS50058: prompt=none without a session → login_required', async () => {
    await withEmulator({}, async (e) => {
      const res = await request(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.webApp,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: GRAPH_SCOPE,
          state: 'st-none',
          prompt: 'none',
        }),
      );
      expectRedirectError(res, WEB_REDIRECT, { error: 'login_required', code: 50058, state: 'st-none' });
    });
  });

  it('AADSTS65001: prompt=none with a session but no consent → consent_required', async () => {
    await withEmulator({}, async (e) => {
      // alice signs in to the web app and consents: the browser now has an SSO session
      const start = await request(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.webApp,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: GRAPH_SCOPE,
        }),
      );
      assert.equal(start.status, 200);
      const login = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(await start.text()),
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      });
      assert.equal(login.status, 200);
      const consentHtml = await login.text();
      assert.match(consentHtml, /Permissions requested/);
      const done = await post(`${e.url}/_ui/consent`, { tx: hiddenTx(consentHtml), decision: 'accept' });
      assert.ok(redirectParams(done, WEB_REDIRECT).get('code'));
      const cookie = ssoCookie(done);

      const silent = (clientId: string, redirectUri: string) =>
        request(
          authorizeUrl(e.url, T, {
            client_id: clientId,
            response_type: 'code',
            redirect_uri: redirectUri,
            scope: GRAPH_SCOPE,
            state: 'st-silent',
            prompt: 'none',
          }),
          { headers: { cookie } },
        );
      // the session works silently where consent exists …
      assert.ok(redirectParams(await silent(SAMPLE_IDS.webApp, WEB_REDIRECT), WEB_REDIRECT).get('code'));
      // … and the public app, never consented to, needs the consent page
      expectRedirectError(await silent(SAMPLE_IDS.publicApp, PUBLIC_REDIRECT), PUBLIC_REDIRECT, {
        error: 'consent_required',
        code: 65001,
        state: 'st-silent',
        suberror: 'consent_required',
      });
    });
  });

  it('AADSTS50076: prompt=none for a user who needs MFA → interaction_required', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      e.setScenarios({ user: 'alice' }, { mfaRequired: true });
      const res = await request(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.webApp,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: GRAPH_SCOPE,
          state: 'st',
          prompt: 'none',
        }),
      );
      expectRedirectError(res, WEB_REDIRECT, {
        error: 'interaction_required',
        code: 50076,
        state: 'st',
        suberror: 'basic_action',
      });
    });
  });

  it('S184 AADSTS50076: prompt=none for an app whose scenario requires MFA → interaction_required, as for the user', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      e.setScenarios({ app: SAMPLE_IDS.webApp }, { mfaRequired: true });
      const res = await request(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.webApp,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: GRAPH_SCOPE,
          state: 'st',
          prompt: 'none',
        }),
      );
      expectRedirectError(res, WEB_REDIRECT, {
        error: 'interaction_required',
        code: 50076,
        state: 'st',
        suberror: 'basic_action',
      });
    });
  });

  it('AADSTS70011 / 500011 / 900144: bad scope, unknown resource, missing parameter', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const ask = (params: Record<string, string>) =>
        request(
          authorizeUrl(e.url, T, {
            client_id: SAMPLE_IDS.publicApp,
            response_type: 'code',
            redirect_uri: PUBLIC_REDIRECT,
            state: 'st',
            ...params,
          }),
        );
      expectRedirectError(
        await ask({ scope: 'openid https://graph.microsoft.com/No.Such.Scope' }),
        PUBLIC_REDIRECT,
        { error: 'invalid_scope', code: 70011, state: 'st' },
      );
      expectRedirectError(await ask({ scope: 'openid https://nosuch.example.com/read' }), PUBLIC_REDIRECT, {
        error: 'invalid_resource',
        code: 500011,
        state: 'st',
      });
      expectRedirectError(await ask({}), PUBLIC_REDIRECT, {
        error: 'invalid_request',
        code: 900144,
        state: 'st',
      });
      expectRedirectError(await ask({ scope: 'openid', response_type: '' }), PUBLIC_REDIRECT, {
        error: 'invalid_request',
        code: 900144,
        state: 'st',
      });
    });
  });
});

describe('AADSTS errors for response types the app may not use', TIMEOUT, () => {
  it('AADSTS700051: response_type=token; AADSTS700054: id_token for an app without ID token issuance', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const ask = (clientId: string, redirectUri: string, responseType: string) =>
        request(
          authorizeUrl(e.url, T, {
            client_id: clientId,
            response_type: responseType,
            response_mode: 'query',
            redirect_uri: redirectUri,
            scope: 'openid profile',
            nonce: 'n-1',
            state: 'st',
          }),
        );
      expectRedirectError(await ask(SAMPLE_IDS.webApp, WEB_REDIRECT, 'token'), WEB_REDIRECT, {
        error: 'unsupported_response_type',
        code: 700051,
        state: 'st',
      });
      expectRedirectError(await ask(SAMPLE_IDS.publicApp, PUBLIC_REDIRECT, 'id_token'), PUBLIC_REDIRECT, {
        error: 'invalid_request',
        code: 700054,
        state: 'st',
      });
    });
  });
});

describe('AADSTS errors on the sign-in page', TIMEOUT, () => {
  async function loginPage(e: RunningEmulator): Promise<string> {
    const res = await request(
      authorizeUrl(e.url, T, {
        client_id: SAMPLE_IDS.webApp,
        response_type: 'code',
        redirect_uri: WEB_REDIRECT,
        scope: GRAPH_SCOPE,
      }),
    );
    assert.equal(res.status, 200);
    return hiddenTx(await res.text());
  }

  it('AADSTS50126: wrong password re-renders the login page with the message; a retry still works', async () => {
    await withEmulator({}, async (e) => {
      const tx = await loginPage(e);
      const bad = await post(`${e.url}/_ui/login`, {
        tx,
        username: 'alice@contoso.onmicrosoft.com',
        password: 'wrong-password',
      });
      assert.equal(bad.status, 200);
      assert.equal(bad.headers.get('location'), null);
      assert.deepEqual(bad.headers.getSetCookie(), [], 'no session for a failed sign-in');
      const html = await bad.text();
      assert.match(html, /role="alert">Your account or password is incorrect\. \(AADSTS50126\)</);
      assert.match(html, /name="username" value="alice@contoso\.onmicrosoft\.com"/);
      assert.doesNotMatch(html, /wrong-password/);
      const unknown = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(html),
        username: 'nobody@contoso.onmicrosoft.com',
        password: 'x',
      });
      assert.match(await unknown.text(), /\(AADSTS50126\)/);
      const good = await post(`${e.url}/_ui/login`, {
        tx,
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      });
      assert.equal(good.status, 200);
      assert.match(await good.text(), /Permissions requested/);
    });
  });

  it('AADSTS65004: the user cancels on the consent page → access_denied at the redirect URI', async () => {
    await withEmulator({}, async (e) => {
      const res = await request(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.webApp,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: GRAPH_SCOPE,
          state: 'st-cancel',
        }),
      );
      const login = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(await res.text()),
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      });
      const consentHtml = await login.text();
      assert.match(consentHtml, /Permissions requested/);
      const cancel = await post(`${e.url}/_ui/consent`, {
        tx: hiddenTx(consentHtml),
        decision: 'cancel',
      });
      expectRedirectError(cancel, WEB_REDIRECT, { error: 'access_denied', code: 65004, state: 'st-cancel' });
    });
  });

  it("AADSTS50020: a user from another tenant cannot sign in through this tenant's authority", async () => {
    await withEmulator({}, async (e) => {
      const res = await post(`${e.url}/_ui/login`, {
        tx: await loginPage(e),
        username: 'carol@fabrikam.onmicrosoft.com',
        password: 'carol-password-1',
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      assert.match(
        await res.text(),
        /role="alert">[^<]*carol@fabrikam\.onmicrosoft\.com[^<]*\(AADSTS50020\)</,
      );
    });
  });

  it('AADSTS50057: a disabled user cannot sign in', async () => {
    await withEmulator({}, async (e) => {
      e.setScenarios({ user: 'alice' }, { disabled: true });
      const res = await post(`${e.url}/_ui/login`, {
        tx: await loginPage(e),
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /role="alert">The user account is disabled\. \(AADSTS50057\)</);
    });
  });
});

describe('AADSTS errors at the token endpoint: client authentication', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const codeGrant = { grant_type: 'authorization_code', code: 'x', redirect_uri: WEB_REDIRECT };

  it('AADSTS7000215: wrong client secret (body and HTTP Basic)', async () => {
    await expectError(
      await token(e, { ...codeGrant, client_id: SAMPLE_IDS.webApp, client_secret: 'not-the-secret' }),
      { status: 401, error: 'invalid_client', code: 7000215 },
    );
    const basic = `Basic ${Buffer.from(`${SAMPLE_IDS.webApp}:not-the-secret`).toString('base64')}`;
    await expectError(await token(e, codeGrant, T, { authorization: basic }), {
      status: 401,
      error: 'invalid_client',
      code: 7000215,
    });
  });

  it('AADSTS7000222: expired client secret', async () => {
    const secret = 'expired-secret-value-0001';
    const app = e.addApp({
      name: 'Expired secret app',
      type: 'web',
      secret,
      secretExpiresAt: Math.floor(Date.now() / 1000) - 3600,
      redirectUris: ['https://expired.example.com/cb'],
    });
    await expectError(
      await token(e, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
      { status: 401, error: 'invalid_client', code: 7000222 },
    );
  });

  it('AADSTS7000218: confidential client sends no credentials', async () => {
    await expectError(await token(e, { ...codeGrant, client_id: SAMPLE_IDS.webApp }), {
      status: 401,
      error: 'invalid_client',
      code: 7000218,
    });
    await expectError(
      await token(e, {
        grant_type: 'client_credentials',
        client_id: SAMPLE_IDS.daemonApp,
        scope: 'https://graph.microsoft.com/.default',
      }),
      { status: 401, error: 'invalid_client', code: 7000218 },
    );
  });

  it('AADSTS700025: public client sends a secret', async () => {
    await expectError(
      await token(e, {
        ...codeGrant,
        redirect_uri: PUBLIC_REDIRECT,
        client_id: SAMPLE_IDS.publicApp,
        client_secret: 'anything-at-all',
      }),
      { status: 400, error: 'invalid_client', code: 700025 },
    );
  });

  it('AADSTS700027 / 700021 / 700024: client assertions that are not a JWT, forged, for another client or expired', async () => {
    const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    await expectError(
      await token(e, {
        ...codeGrant,
        client_id: SAMPLE_IDS.webApp,
        client_assertion_type: assertionType,
        client_assertion: 'not-a-jwt',
      }),
      { status: 401, error: 'invalid_client', code: 700027 },
    );
    const registered = await createSelfSignedKey('assertion-test');
    const app = e.addApp({
      name: 'Certificate app',
      type: 'daemon',
      certificates: [registered.certificatePem],
      applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
    });
    const x5t = thumbprints(registered.certificatePem).x5t;
    const sign = (key: KeyObject, o: { iss?: string; exp?: number } = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
        .setIssuer(o.iss ?? app.clientId)
        .setSubject(o.iss ?? app.clientId)
        .setAudience(tokenUrl(e))
        .setIssuedAt(now - 1200)
        .setNotBefore(now - 1200)
        .setExpirationTime(o.exp ?? now + 600)
        .sign(key);
    };
    const present = async (assertion: string) =>
      token(e, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_assertion_type: assertionType,
        client_assertion: assertion,
        scope: 'https://graph.microsoft.com/.default',
      });
    const realKey = createPrivateKey(registered.privateKeyPem);
    // baseline: a correct assertion works
    await tokensOf(await present(await sign(realKey)));
    // signed with another key, but naming the registered certificate's thumbprint
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectError(await present(await sign(otherKey)), {
      status: 401,
      error: 'invalid_client',
      code: 700027,
    });
    await expectError(await present(await sign(realKey, { iss: SAMPLE_IDS.daemonApp })), {
      status: 401,
      error: 'invalid_client',
      code: 700021,
    });
    await expectError(await present(await sign(realKey, { exp: Math.floor(Date.now() / 1000) - 900 })), {
      status: 401,
      error: 'invalid_client',
      code: 700024,
    });
  });

  it('AADSTS700016: unknown client at the token endpoint (JSON)', async () => {
    await expectError(await token(e, { ...codeGrant, client_id: randomUUID() }), {
      status: 400,
      error: 'unauthorized_client',
      code: 700016,
    });
  });

  it('AADSTS7000112: disabled application', async () => {
    e.setScenarios({ app: SAMPLE_IDS.publicApp }, { disabled: true });
    try {
      await expectError(
        await token(e, { ...codeGrant, redirect_uri: PUBLIC_REDIRECT, client_id: SAMPLE_IDS.publicApp }),
        { status: 400, error: 'unauthorized_client', code: 7000112 },
      );
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.publicApp }, {});
    }
  });
});

describe('AADSTS errors at the token endpoint: the request itself', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const daemon = { client_id: SAMPLE_IDS.daemonApp, client_secret: SAMPLE_SECRETS.daemonApp };

  it('AADSTS900561: GET on the token endpoint', async () => {
    const res = await request(`${tokenUrl(e)}?grant_type=client_credentials`);
    await expectError(res, { status: 400, error: 'invalid_request', code: 900561 });
  });

  it('AADSTS900144: missing grant_type; parameters in the query string or a JSON body are not read', async () => {
    const body = await expectError(await token(e, { client_id: SAMPLE_IDS.publicApp }), {
      status: 400,
      error: 'invalid_request',
      code: 900144,
    });
    assert.match(String(body.error_description), /'grant_type'/);
    const query = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      ...daemon,
    });
    const inQuery = await request(`${tokenUrl(e)}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    await expectError(inQuery, { status: 400, error: 'invalid_request', code: 900144 });
    const asJson = await request(tokenUrl(e), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(query)),
    });
    await expectError(asJson, { status: 400, error: 'invalid_request', code: 900144 });
    // the same parameters in a form body work
    await tokensOf(await post(tokenUrl(e), Object.fromEntries(query)));
  });

  it('AADSTS70003: unsupported grant type', async () => {
    for (const grant of ['implicit', 'urn:example:nope']) {
      await expectError(await token(e, { grant_type: grant, client_id: SAMPLE_IDS.publicApp }), {
        status: 400,
        error: 'unsupported_grant_type',
        code: 70003,
      });
    }
  });

  it('AADSTS90002: unknown tenant (token endpoint and discovery)', async () => {
    await expectError(
      await token(
        e,
        { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...daemon },
        'nosuch.example.com',
      ),
      { status: 400, error: 'invalid_request', code: 90002 },
    );
    await expectError(await request(`${e.url}/${randomUUID()}/v2.0/.well-known/openid-configuration`), {
      status: 400,
      error: 'invalid_request',
      code: 90002,
    });
  });

  it('AADSTS50194: single-tenant app through /common', async () => {
    const single = e.addApp({
      name: 'Single-tenant web app',
      type: 'web',
      signInAudience: 'AzureADMyOrg',
      secret: 'single-tenant-secret-1',
      redirectUris: [WEB_REDIRECT],
    });
    const res = await request(
      authorizeUrl(e.url, 'common', {
        client_id: single.clientId,
        response_type: 'code',
        redirect_uri: WEB_REDIRECT,
        scope: 'openid',
        state: 'st',
      }),
    );
    const back = redirectParams(res, WEB_REDIRECT);
    assert.equal(back.get('error'), 'invalid_request');
    assert.match(back.get('error_description') ?? '', /^AADSTS50194:/);
    assert.equal(back.get('state'), 'st');
    await expectError(
      await token(
        e,
        { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...daemon },
        'common',
      ),
      { status: 400, error: 'invalid_request', code: 50194 },
    );
  });

  it('AADSTS9001023: client credentials on /common', async () => {
    await expectError(
      await token(
        e,
        {
          grant_type: 'client_credentials',
          client_id: SAMPLE_IDS.webApp,
          client_secret: SAMPLE_SECRETS.webApp,
          scope: 'https://graph.microsoft.com/.default',
        },
        'common',
      ),
      { status: 400, error: 'invalid_request', code: 9001023 },
    );
  });

  it('AADSTS70011: client credentials without /.default, or with several scopes', async () => {
    for (const scope of [
      'https://graph.microsoft.com/User.Read.All',
      'https://graph.microsoft.com/.default https://outlook.office365.com/.default',
    ]) {
      await expectError(await token(e, { grant_type: 'client_credentials', scope, ...daemon }), {
        status: 400,
        error: 'invalid_scope',
        code: 70011,
      });
    }
  });

  it('AADSTS500011: unknown resource', async () => {
    await expectError(
      await token(e, {
        grant_type: 'client_credentials',
        scope: 'https://nosuch.example.com/.default',
        ...daemon,
      }),
      { status: 400, error: 'invalid_resource', code: 500011 },
    );
  });

  it('AADSTS70011 / 500011 on refresh with a scope that does not exist', async () => {
    const t = await webTokens(e);
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        refresh_token: String(t.refresh_token),
        scope: 'https://graph.microsoft.com/No.Such.Scope',
      }),
      { status: 400, error: 'invalid_scope', code: 70011 },
    );
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        refresh_token: String(t.refresh_token),
        scope: 'https://nosuch.example.com/read',
      }),
      { status: 400, error: 'invalid_resource', code: 500011 },
    );
  });
});

describe('AADSTS errors redeeming an authorization code', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const web = { client_id: SAMPLE_IDS.webApp, client_secret: SAMPLE_SECRETS.webApp };

  it('AADSTS9002313 for an unknown code; AADSTS70000 for a code issued to another client', async () => {
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        code: 'no-such-code',
        redirect_uri: WEB_REDIRECT,
        ...web,
      }),
      { status: 400, error: 'invalid_grant', code: 9002313 },
    );
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code,
        redirect_uri: WEB_REDIRECT,
      }),
      { status: 400, error: 'invalid_grant', code: 70000 },
    );
  });

  it("AADSTS50011: redirect_uri differs from the authorize request's", async () => {
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:3000/auth/callback',
        ...web,
      }),
      { status: 400, error: 'invalid_client', code: 50011 },
    );
    // the code was not spent by the failed attempt
    await tokensOf(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
    );
  });

  it('AADSTS900144: code or redirect_uri missing', async () => {
    await expectError(
      await token(e, { grant_type: 'authorization_code', redirect_uri: WEB_REDIRECT, ...web }),
      {
        status: 400,
        error: 'invalid_request',
        code: 900144,
      },
    );
    await expectError(await token(e, { grant_type: 'authorization_code', code: 'abc', ...web }), {
      status: 400,
      error: 'invalid_request',
      code: 900144,
    });
  });

  it('AADSTS50148: wrong code_verifier; AADSTS501481: no code_verifier', async () => {
    const { verifier, challenge } = pkce();
    const code = await autoCode(e, {
      clientId: SAMPLE_IDS.publicApp,
      redirectUri: PUBLIC_REDIRECT,
      challenge,
    });
    const redeem = (extra: Record<string, string>) =>
      token(e, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code,
        redirect_uri: PUBLIC_REDIRECT,
        ...extra,
      });
    await expectError(await redeem({ code_verifier: pkce().verifier }), {
      status: 400,
      error: 'invalid_grant',
      code: 50148,
    });
    await expectError(await redeem({}), { status: 400, error: 'invalid_grant', code: 501481 });
    await tokensOf(await redeem({ code_verifier: verifier }));
  });

  it('AADSTS54005: a replayed code fails and revokes the refresh and access tokens it issued', async () => {
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    const first = await tokensOf(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
    );
    const me = () =>
      request(`${e.url}/v1.0/me`, { headers: { authorization: `Bearer ${String(first.access_token)}` } });
    assert.equal((await me()).status, 200);
    await expectError(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
      { status: 400, error: 'invalid_grant', code: 54005 },
    );
    await expectError(await refresh(e, first.refresh_token), {
      status: 400,
      error: 'invalid_grant',
      code: 50173,
      suberror: 'bad_token',
    });
    const after = await me();
    assert.equal(after.status, 401);
    const body = (await after.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
  });

  it('AADSTS70008: expired code', async () => {
    await withEmulator({ autoLogin: 'alice', settings: { codeLifetime: 1 } }, async (short) => {
      const code = await autoCode(short, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(
        await token(short, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
        { status: 400, error: 'invalid_grant', code: 70008 },
      );
    });
  });
});

describe('AADSTS errors redeeming a refresh token', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  /** Fresh tokens, then the scenario switched on for alice, then a refresh; scenarios are cleared after. */
  async function refreshUnder(scenarios: Parameters<RunningEmulator['setScenarios']>[1]): Promise<Response> {
    const t = await webTokens(e);
    e.setScenarios({ user: 'alice' }, scenarios);
    try {
      return await refresh(e, t.refresh_token);
    } finally {
      e.setScenarios({ user: 'alice' }, {});
    }
  }

  it('refreshes normally without a scenario (baseline)', async () => {
    const t = await webTokens(e);
    const again = await tokensOf(await refresh(e, t.refresh_token));
    assert.equal(typeof again.refresh_token, 'string');
  });

  it('AADSTS9002313: unknown refresh token; AADSTS70000: refresh token of another client', async () => {
    await expectError(await refresh(e, 'no-such-refresh-token'), {
      status: 400,
      error: 'invalid_grant',
      code: 9002313,
    });
    const t = await webTokens(e);
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.publicApp,
        refresh_token: String(t.refresh_token),
      }),
      { status: 400, error: 'invalid_grant', code: 70000 },
    );
  });

  /** A refresh under one scenario for alice, and the error Entra answers with. */
  const scenarioCases: {
    name: string;
    scenarios: Parameters<RunningEmulator['setScenarios']>[1];
    expected: Expected;
    check?: (body: Json) => void;
  }[] = [
    {
      name: 'AADSTS700082: refresh token expired by inactivity (scenario refreshTokenExpired)',
      scenarios: { refreshTokenExpired: true },
      expected: { status: 400, error: 'invalid_grant', code: 700082, suberror: 'bad_token' },
    },
    {
      name: 'AADSTS50173: grant revoked (scenario grantRevoked)',
      scenarios: { grantRevoked: true },
      expected: { status: 400, error: 'invalid_grant', code: 50173, suberror: 'bad_token' },
    },
    {
      name: 'AADSTS65001: consent required (scenario consentRequired) → suberror consent_required',
      scenarios: { consentRequired: true },
      expected: { status: 400, error: 'invalid_grant', code: 65001, suberror: 'consent_required' },
    },
    {
      name: 'AADSTS50076: MFA required (scenario mfaRequired) → suberror basic_action',
      scenarios: { mfaRequired: true },
      expected: { status: 400, error: 'invalid_grant', code: 50076, suberror: 'basic_action' },
      check: (body) => assert.match(String(body.error_description), /https:\/\/graph\.microsoft\.com/),
    },
    {
      name: 'AADSTS50057: disabled user',
      scenarios: { disabled: true },
      expected: { status: 400, error: 'invalid_grant', code: 50057 },
    },
  ];
  for (const c of scenarioCases) {
    it(c.name, async () => {
      const body = await expectError(await refreshUnder(c.scenarios), c.expected);
      c.check?.(body);
    });
  }

  it('AADSTS50173: grant revoked by revokeUserGrants, including the access token', async () => {
    const t = await webTokens(e);
    assert.ok(e.revokeUserGrants('alice') >= 1);
    await expectError(await refresh(e, t.refresh_token), {
      status: 400,
      error: 'invalid_grant',
      code: 50173,
      suberror: 'bad_token',
    });
    const me = await request(`${e.url}/v1.0/me`, {
      headers: { authorization: `Bearer ${String(t.access_token)}` },
    });
    assert.equal(me.status, 401);
    // a new sign-in gets a new, working grant
    const fresh = await webTokens(e);
    await tokensOf(await refresh(e, fresh.refresh_token));
  });

  it('AADSTS900144: refresh_token missing', async () => {
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
      }),
      { status: 400, error: 'invalid_request', code: 900144 },
    );
  });
});

describe('AADSTS errors in the on-behalf-of flow', TIMEOUT, () => {
  const API_SCOPE = `openid offline_access api://${SAMPLE_IDS.apiApp}/access_as_user`;

  function obo(e: RunningEmulator, assertion: string) {
    return token(e, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      client_id: SAMPLE_IDS.apiApp,
      client_secret: SAMPLE_SECRETS.apiApp,
      assertion,
      scope: 'https://graph.microsoft.com/User.Read',
    });
  }

  async function apiToken(e: RunningEmulator): Promise<string> {
    const { verifier, challenge } = pkce();
    const code = await autoCode(e, {
      clientId: SAMPLE_IDS.webApp,
      redirectUri: WEB_REDIRECT,
      scope: API_SCOPE,
      challenge,
    });
    const t = await tokensOf(
      await token(e, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        code,
        redirect_uri: WEB_REDIRECT,
        code_verifier: verifier,
      }),
    );
    return String(t.access_token);
  }

  it('AADSTS50013: an assertion that is not a token for this API; AADSTS50173 once the grant is revoked', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      await expectError(await obo(e, 'not-a-token'), { status: 400, error: 'invalid_grant', code: 50013 });
      const graphToken = String((await webTokens(e)).access_token);
      await expectError(await obo(e, graphToken), { status: 400, error: 'invalid_grant', code: 50013 });
      const assertion = await apiToken(e);
      await tokensOf(await obo(e, assertion)); // baseline: the API's own token works
      e.revokeUserGrants('alice');
      await expectError(await obo(e, assertion), {
        status: 400,
        error: 'invalid_grant',
        code: 50173,
        suberror: 'bad_token',
      });
    });
  });

  it('AADSTS500133: an expired assertion', async () => {
    await withEmulator({ autoLogin: 'alice', accessTokenLifetime: 1 }, async (e) => {
      const assertion = await apiToken(e);
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(await obo(e, assertion), { status: 400, error: 'invalid_grant', code: 500133 });
    });
  });
});

describe('AADSTS errors in the device code flow', TIMEOUT, () => {
  const scope = GRAPH_SCOPE;

  async function startDevice(e: RunningEmulator): Promise<{ device_code: string; user_code: string }> {
    const res = await post(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
      client_id: SAMPLE_IDS.publicApp,
      scope,
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { device_code: string; user_code: string };
  }

  function poll(e: RunningEmulator, deviceCode: string) {
    return token(e, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: SAMPLE_IDS.publicApp,
      device_code: deviceCode,
    });
  }

  it('AADSTS70016: authorization_pending, then slow_down when polled faster than the interval', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 30 } }, async (e) => {
      const d = await startDevice(e);
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_pending',
        code: 70016,
      });
      await expectError(await poll(e, d.device_code), { status: 400, error: 'slow_down', code: 70016 });
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_pending',
        code: 70016,
      });
    });
  });

  it('authorization_declined when the user cancels on the consent page', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 30 } }, async (e) => {
      const d = await startDevice(e);
      const page = await request(`${e.url}/devicelogin`);
      const entry = await post(`${e.url}/_ui/device-code`, {
        tx: hiddenTx(await page.text()),
        user_code: d.user_code,
      });
      assert.equal(entry.status, 200);
      const login = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(await entry.text()),
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      });
      const confirmHtml = await login.text();
      assert.match(confirmHtml, /Are you trying to sign in to Sample native app\?/);
      const confirmed = await post(`${e.url}/_ui/device-confirm`, {
        tx: hiddenTx(confirmHtml),
        decision: 'continue',
      });
      const consentHtml = await confirmed.text();
      assert.match(consentHtml, /Permissions requested/);
      const cancel = await post(`${e.url}/_ui/consent`, {
        tx: hiddenTx(consentHtml),
        decision: 'cancel',
      });
      assert.equal(cancel.status, 200);
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_declined',
        code: 65004,
      });
    });
  });

  it('the code entry page takes GET (its form posts to /_ui/device-code); other methods get 405 naming GET', async () => {
    await withEmulator({}, async (e) => {
      const page = await request(`${e.url}/devicelogin`);
      assert.equal(page.status, 200);
      const wrong = await post(`${e.url}/_ui/device-code`, {
        tx: hiddenTx(await page.text()),
        user_code: 'BCDFGHJKL',
      });
      assert.equal(wrong.status, 200);
      assert.match(await wrong.text(), /That code didn&#39;t work|That code didn't work/);
      for (const method of ['POST', 'DELETE']) {
        const refused = await request(`${e.url}/devicelogin`, { method });
        assert.equal(refused.status, 405, method);
        assert.deepEqual(refused.headers.get('allow')?.split(', ').sort(), ['GET']);
        await refused.body?.cancel();
      }
    });
  });

  it('AADSTS70020: expired_token once the device code has expired', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 1 } }, async (e) => {
      const d = await startDevice(e);
      await new Promise((r) => setTimeout(r, 1200));
      await expectError(await poll(e, d.device_code), { status: 400, error: 'expired_token', code: 70020 });
    });
  });

  it('bad_verification_code for an unknown device code; AADSTS7000218 for a device code request of a confidential app', async () => {
    await withEmulator({}, async (e) => {
      await expectError(await poll(e, 'DAQABnot-a-real-code'), {
        status: 400,
        error: 'bad_verification_code',
        code: 9002313,
      });
      await expectError(
        await post(`${e.url}/${T}/oauth2/v2.0/devicecode`, { client_id: SAMPLE_IDS.webApp, scope }),
        { status: 401, error: 'invalid_client', code: 7000218 },
      );
    });
  });
});

describe('throttling and outages at the token endpoint', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator();
  });
  after(() => e.close());

  const request = {
    grant_type: 'client_credentials',
    client_id: SAMPLE_IDS.daemonApp,
    client_secret: SAMPLE_SECRETS.daemonApp,
    scope: 'https://graph.microsoft.com/.default',
  };

  it('429 with Retry-After (scenario throttleSeconds)', async () => {
    e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { throttleSeconds: 7 });
    try {
      const res = await token(e, request);
      assert.equal(res.headers.get('retry-after'), '7');
      await expectError(res, { status: 429, error: 'temporarily_unavailable', code: 90055 });
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, {});
    }
    await tokensOf(await token(e, request));
  });

  it('500 server_error and 503 temporarily_unavailable (scenario serverError)', async () => {
    try {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { serverError: 500 });
      await expectError(await token(e, request), { status: 500, error: 'server_error', code: 50000 });
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { serverError: 503 });
      const res = await token(e, request);
      assert.equal(res.headers.get('retry-after'), '1');
      await expectError(res, { status: 503, error: 'temporarily_unavailable', code: 50000 });
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, {});
    }
  });
});
