// Every flow end to end against the emulator (a real HTTP server started here), through the public client.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  createSelfSignedKey,
  startEmulator,
} from '@tokenloop/emulator';
import { type AuthResult, OAuthError, createTokenClient } from 'tokenloop';
import { authorizationResponse, deliverAuthorization } from '../support/browser-stand-in.js';
import { rejectsWith } from '../support/assertions.js';

const GRAPH_USER_READ = 'https://graph.microsoft.com/User.Read';
const IMAP = 'https://outlook.office.com/IMAP.AccessAsUser.All';
const API = `api://${SAMPLE_IDS.apiApp}/access_as_user`;

function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
const requests = (em: RunningEmulator, grant: string, clientId: string) =>
  em.stats().token_requests[grant]?.[clientId] ?? 0;

describe('flows against the emulator', () => {
  let em: RunningEmulator;
  let authority: string;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    authority = `${em.url}/organizations`;
  });
  after(() => em.close());

  const publicClient = (extra: object = {}) =>
    createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp, ...extra });
  /** The emulator's sample web app, a confidential client. */
  const webClient = () =>
    createTokenClient({ authority, clientId: SAMPLE_IDS.webApp, clientSecret: SAMPLE_SECRETS.webApp });
  const WEB_CALLBACK = 'http://127.0.0.1:3000/auth/callback';

  it('loopback sign-in (auth code + PKCE S256): tokens cached, account keyed by oid.tid (S01, S02, S38)', async () => {
    const client = publicClient();
    const seen: URL[] = [];
    let delivered: Promise<{ status: number; body: string }> | undefined;
    const result = await client.loginInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        seen.push(url);
        delivered = deliverAuthorization(url);
      },
    });
    const page = await delivered;
    const p = seen[0]!.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(p.get('state')!.length >= 22 && p.get('nonce')!.length >= 22);
    assert.equal(p.get('redirect_uri'), `http://127.0.0.1:${new URL(p.get('redirect_uri')!).port}/`);
    assert.deepEqual(
      p.get('scope')!.split(' ').sort(),
      ['User.Read', 'offline_access', 'openid', 'profile'].sort(),
    );
    assert.equal(page?.status, 200);
    assert.match(page!.body, /Signed in/);
    assert.equal(result.account?.username, 'alice@contoso.onmicrosoft.com');
    assert.equal(result.account?.homeAccountId, `${SAMPLE_IDS.alice}.${SAMPLE_IDS.contoso}`);
    assert.equal(result.fromCache, false);
    const again = await client.acquireTokenSilent({ scopes: ['User.Read'] });
    assert.equal(again.fromCache, true);
    assert.equal(again.accessToken, result.accessToken);
    // A second sign-in uses a fresh state, nonce and verifier (S01, S02).
    await client.loginInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        seen.push(url);
        void deliverAuthorization(url);
      },
    });
    const q = seen[1]!.searchParams;
    assert.notEqual(q.get('state'), p.get('state'));
    assert.notEqual(q.get('nonce'), p.get('nonce'));
    assert.notEqual(q.get('code_challenge'), p.get('code_challenge'));
    assert.equal((await client.getAccounts()).length, 1);
  });

  it('S21: the listener ignores foreign requests, answers the first valid one, then closes', async () => {
    const client = publicClient();
    let port = 0;
    const strays: number[] = [];
    await client.loginInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        const redirect = new URL(url.searchParams.get('redirect_uri')!);
        port = Number(redirect.port);
        strays.push((await fetch(new URL('/?code=x&state=forged', redirect))).status);
        strays.push((await fetch(new URL('/favicon.ico', redirect))).status);
        await deliverAuthorization(url);
      },
    });
    assert.deepEqual(strays, [400, 404]);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    assert.equal(refused, true, 'the loopback listener must be closed after sign-in');
  });

  it('S21: success is shown only when the token exchange succeeded', async () => {
    const client = publicClient();
    let delivered: Promise<{ status: number; body: string }> | undefined;
    const err = await rejectsWith(
      client.loginInteractive({
        scopes: ['User.Read'],
        openBrowser: async (url) => {
          const params = await authorizationResponse(url);
          params.set('code', 'not-a-real-code');
          delivered = fetch(`${url.searchParams.get('redirect_uri')}?${params}`).then(async (res) => ({
            status: res.status,
            body: await res.text(),
          }));
        },
      }),
      'OAUTH_ERROR',
    );
    const page = await delivered;
    assert.equal((err as OAuthError).error, 'invalid_grant');
    assert.equal(page?.status, 400);
    assert.match(page!.body, /Sign-in failed/);
    assert.doesNotMatch(page!.body, /You are signed in/);
  });

  it('loopback sign-in times out, and can be cancelled, with clear errors', async () => {
    const client = publicClient();
    await rejectsWith(
      client.loginInteractive({ scopes: ['User.Read'], timeoutMs: 200, openBrowser: async () => {} }),
      'TIMEOUT',
    );
    const controller = new AbortController();
    const pending = client.loginInteractive({
      scopes: ['User.Read'],
      signal: controller.signal,
      openBrowser: async () => void setTimeout(() => controller.abort(), 50),
    });
    await rejectsWith(pending, 'CANCELLED');
  });

  it('S08: only the code flow is requested; protocol parameters cannot be overridden into implicit / hybrid', async () => {
    const web = webClient();
    const { url } = await web.beginAuthorization({
      redirectUri: WEB_CALLBACK,
      scopes: ['User.Read'],
    });
    assert.equal(url.searchParams.get('response_type'), 'code');
    await rejectsWith(
      web.beginAuthorization({
        redirectUri: WEB_CALLBACK,
        scopes: ['User.Read'],
        extraParameters: { response_type: 'code id_token' },
      }),
      'INVALID_ARGUMENT',
      /response_type/,
    );
    assert.equal('acquireTokenByUsernamePassword' in web, false, 'no password grant');
  });

  it('S09: the loopback result page sends no referrer, loads nothing, and is not cached', async () => {
    const client = publicClient();
    let delivered: Promise<Response> | undefined;
    await client.loginInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        const params = await authorizationResponse(url);
        delivered = fetch(`${url.searchParams.get('redirect_uri')}?${params}`);
      },
    });
    const res = await delivered!;
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(await res.text(), /<script|<img|<link|https?:\/\//);
  });

  it('web two-step sign-in, query and form_post, with a confidential client', async () => {
    const web = webClient();
    for (const responseMode of ['query', 'form_post'] as const) {
      const { url, transaction } = await web.beginAuthorization({
        redirectUri: WEB_CALLBACK,
        scopes: ['User.Read'],
        responseMode,
      });
      assert.equal(url.searchParams.get('response_mode'), responseMode);
      const params = await authorizationResponse(url);
      const result = await web.completeAuthorization(transaction, params);
      assert.equal(result.account?.username, 'alice@contoso.onmicrosoft.com');
      assert.ok(result.idToken);
    }
  });

  it('S03: a wrong, missing or replayed state is refused before any token request', async () => {
    const web = webClient();
    const { url, transaction } = await web.beginAuthorization({
      redirectUri: WEB_CALLBACK,
      scopes: ['User.Read'],
    });
    const params = await authorizationResponse(url);
    const before = requests(em, 'authorization_code', SAMPLE_IDS.webApp);
    const wrong = new URLSearchParams(params);
    wrong.set('state', 'forged-state');
    await rejectsWith(web.completeAuthorization(transaction, wrong), 'CALLBACK');
    const missing = new URLSearchParams(params);
    missing.delete('state');
    await rejectsWith(web.completeAuthorization(transaction, missing), 'CALLBACK');
    assert.equal(requests(em, 'authorization_code', SAMPLE_IDS.webApp), before);
    await web.completeAuthorization(transaction, params);
    assert.equal(requests(em, 'authorization_code', SAMPLE_IDS.webApp), before + 1);
    await rejectsWith(web.completeAuthorization(transaction, params), 'CALLBACK', /already used/);
    assert.equal(requests(em, 'authorization_code', SAMPLE_IDS.webApp), before + 1);
  });

  it('S04, S05: a callback without its transaction, or with one from another provider, is refused', async () => {
    const web = webClient();
    const { url, transaction } = await web.beginAuthorization({
      redirectUri: WEB_CALLBACK,
      scopes: ['User.Read'],
    });
    const params = await authorizationResponse(url);
    await rejectsWith(web.completeAuthorization(undefined as never, params), 'CALLBACK');
    await rejectsWith(web.completeAuthorization({ ...transaction, codeVerifier: '' }, params), 'CALLBACK');
    await rejectsWith(
      web.completeAuthorization({ ...transaction, createdAt: Date.now() - 11 * 60_000 }, params),
      'CALLBACK',
      /expired/,
    );
    await rejectsWith(
      web.completeAuthorization({ ...transaction, issuer: 'https://idp.example.test/' }, params),
      'CALLBACK',
      /another provider/,
    );
  });

  it('S07: an error response is state-checked first, then surfaced without a token request', async () => {
    const web = webClient();
    const { transaction } = await web.beginAuthorization({
      redirectUri: WEB_CALLBACK,
      scopes: ['User.Read'],
    });
    const before = requests(em, 'authorization_code', SAMPLE_IDS.webApp);
    const forged = new URLSearchParams({
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent.',
      state: 'forged',
    });
    await rejectsWith(web.completeAuthorization(transaction, forged), 'CALLBACK');
    const real = new URLSearchParams({
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent.',
      state: transaction.state,
    });
    const err = await rejectsWith(web.completeAuthorization(transaction, real), 'OAUTH_ERROR');
    assert.equal((err as OAuthError).error, 'access_denied');
    assert.equal((err as OAuthError).errorClass, 'declined');
    assert.equal(requests(em, 'authorization_code', SAMPLE_IDS.webApp), before);
  });

  it('S11: the token request repeats the redirect URI byte for byte', async () => {
    const bodies: string[] = [];
    const web = createTokenClient({
      authority,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      http: {
        fetch: async (input, init) => {
          if (String(input).endsWith('/token') && typeof init?.body !== 'undefined')
            bodies.push(String(init.body));
          return fetch(input, init);
        },
      },
    });
    const redirectUri = 'http://localhost:3000/auth/callback';
    const { url, transaction } = await web.beginAuthorization({ redirectUri, scopes: ['User.Read'] });
    await web.completeAuthorization(transaction, await authorizationResponse(url));
    assert.equal(new URLSearchParams(bodies[0]).get('redirect_uri'), redirectUri);
    assert.equal(new URLSearchParams(bodies[0]).get('code_verifier'), transaction.codeVerifier);
  });

  it('device code sign-in shows the code and returns tokens', async () => {
    const client = publicClient();
    const prompts: { userCode: string; verificationUri: string; expiresAt: Date }[] = [];
    const result = await client.loginWithDeviceCode({
      scopes: ['User.Read'],
      onPrompt: (p) => prompts.push(p),
    });
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!.userCode, /^[A-Z0-9-]{6,}$/);
    assert.equal(new URL(prompts[0]!.verificationUri).origin, em.url);
    assert.ok(prompts[0]!.expiresAt.getTime() > Date.now());
    assert.equal(result.account?.username, 'alice@contoso.onmicrosoft.com');
  });

  it('client credentials with a secret, cached until due (one token request)', async () => {
    const daemon = createTokenClient({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.daemonApp,
      clientSecret: SAMPLE_SECRETS.daemonApp,
    });
    const before = requests(em, 'client_credentials', SAMPLE_IDS.daemonApp);
    const first = await daemon.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] });
    const second = await daemon.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.equal(first.account, undefined);
    assert.equal(claimsOf(first.accessToken).aud, 'https://graph.microsoft.com');
    assert.equal(second.fromCache, true);
    assert.equal(second.accessToken, first.accessToken);
    assert.equal(requests(em, 'client_credentials', SAMPLE_IDS.daemonApp), before + 1);
  });

  it('client credentials refuse a multi-tenant authority with a clear configuration error', async () => {
    const daemon = createTokenClient({
      authority,
      clientId: SAMPLE_IDS.daemonApp,
      clientSecret: SAMPLE_SECRETS.daemonApp,
    });
    await rejectsWith(
      daemon.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] }),
      'CONFIGURATION',
      /tenant-specific/,
    );
  });

  for (const thumbprint of ['sha1', 'sha256'] as const) {
    it(`client credentials with a certificate (${thumbprint === 'sha1' ? 'x5t, RS256' : 'x5t#S256, PS256'})`, async () => {
      const key = await createSelfSignedKey(`library-${thumbprint}`);
      const app = em.addApp({
        name: `Cert ${thumbprint}`,
        type: 'daemon',
        certificates: [key.certificatePem],
        applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
      });
      const seen: string[] = [];
      const daemon = createTokenClient({
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        clientId: app.clientId,
        clientCertificate: { privateKey: key.privateKeyPem, certificate: key.certificatePem, thumbprint },
        http: {
          fetch: async (input, init) => {
            if (init?.body) seen.push(String(init.body));
            return fetch(input, init);
          },
        },
      });
      const result = await daemon.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] });
      assert.deepEqual(claimsOf(result.accessToken).roles, ['User.Read.All']);
      const assertion = new URLSearchParams(seen[0]).get('client_assertion')!;
      const header = headerOf(assertion);
      assert.equal(header.alg, thumbprint === 'sha1' ? 'RS256' : 'PS256');
      assert.ok(typeof header[thumbprint === 'sha1' ? 'x5t' : 'x5t#S256'] === 'string');
      assert.equal(claimsOf(assertion).aud, `${em.url}/${SAMPLE_IDS.contoso}/oauth2/v2.0/token`);
    });
  }

  it('refresh: forced refresh gets a new access token and replaces the refresh token (S15)', async () => {
    const client = publicClient();
    const first = await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
    const rt = () =>
      client
        .exportAccount(first.account!)
        .then(
          (t) =>
            (JSON.parse(t) as { record: { refreshToken: { secret: string } } }).record.refreshToken.secret,
        );
    const rt1 = await rt();
    const refreshed = await client.acquireTokenSilent({ scopes: ['User.Read'], forceRefresh: true });
    assert.equal(refreshed.fromCache, false);
    assert.notEqual(refreshed.accessToken, first.accessToken);
    assert.notEqual(await rt(), rt1);
    assert.equal(refreshed.account?.homeAccountId, first.account?.homeAccountId);
  });

  it('one sign-in serves Graph, Outlook IMAP and your own API silently, one refresh token', async () => {
    const client = publicClient();
    const login = await client.loginWithDeviceCode({
      scopes: ['User.Read'],
      extraScopesToConsent: [IMAP, API],
      onPrompt: () => {},
    });
    const before = requests(em, 'refresh_token', SAMPLE_IDS.publicApp);
    const imap = await client.acquireTokenSilent({ scopes: [IMAP] });
    const api = await client.acquireTokenSilent({ scopes: [API] });
    assert.equal(claimsOf(login.accessToken).aud, 'https://graph.microsoft.com');
    assert.equal(claimsOf(imap.accessToken).aud, 'https://outlook.office.com');
    assert.ok(
      [SAMPLE_IDS.apiApp, `api://${SAMPLE_IDS.apiApp}`].includes(claimsOf(api.accessToken).aud as string),
    );
    assert.equal(requests(em, 'refresh_token', SAMPLE_IDS.publicApp), before + 2);
    const cached = await Promise.all([
      client.acquireTokenSilent({ scopes: [GRAPH_USER_READ] }),
      client.acquireTokenSilent({ scopes: [IMAP] }),
      client.acquireTokenSilent({ scopes: [API] }),
    ]);
    assert.deepEqual(
      cached.map((r: AuthResult) => r.fromCache),
      [true, true, true],
    );
    await rejectsWith(
      client.acquireTokenSilent({ scopes: [GRAPH_USER_READ, IMAP] }),
      'INVALID_ARGUMENT',
      /one resource/,
    );
  });

  it('on-behalf-of: the API trades the user token for a Graph token, cached per incoming token', async () => {
    const client = publicClient();
    const login = await client.loginWithDeviceCode({ scopes: [API], onPrompt: () => {} });
    const api = createTokenClient({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.apiApp,
      clientSecret: SAMPLE_SECRETS.apiApp,
    });
    const before = requests(em, 'jwt-bearer', SAMPLE_IDS.apiApp);
    const obo = await api.acquireTokenOnBehalfOf({ assertion: login.accessToken, scopes: [GRAPH_USER_READ] });
    assert.equal(claimsOf(obo.accessToken).aud, 'https://graph.microsoft.com');
    assert.equal(claimsOf(obo.accessToken).oid, SAMPLE_IDS.alice);
    const again = await api.acquireTokenOnBehalfOf({
      assertion: login.accessToken,
      scopes: [GRAPH_USER_READ],
    });
    assert.equal(again.fromCache, true);
    assert.equal(requests(em, 'jwt-bearer', SAMPLE_IDS.apiApp), before + 1);
  });

  it('key rotation: a refreshed ID token signed with the new key validates (JWKS refetched)', async () => {
    const client = publicClient();
    await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
    const kid = await em.rotateKeys();
    const refreshed = await client.acquireTokenSilent({ scopes: ['User.Read'], forceRefresh: true });
    assert.equal(headerOf(refreshed.idToken!).kid, kid);
  });

  it('S18: a multi-tenant authority with allowedTenants refuses tokens from other tenants', async () => {
    const strict = publicClient({ allowedTenants: [SAMPLE_IDS.fabrikam] });
    await rejectsWith(
      strict.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} }),
      'TOKEN_VALIDATION',
      /allowedTenants/,
    );
    assert.equal((await strict.getAccounts()).length, 0);
    const allowed = publicClient({ allowedTenants: [SAMPLE_IDS.contoso] });
    assert.equal(
      (await allowed.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} })).account?.tenantId,
      SAMPLE_IDS.contoso,
    );
  });

  it('tenant-specific authorities by id, by domain, and pasted with /v2.0', async () => {
    for (const tenant of [SAMPLE_IDS.contoso, 'contoso.onmicrosoft.com', `${SAMPLE_IDS.contoso}/v2.0`]) {
      const client = createTokenClient({ authority: `${em.url}/${tenant}`, clientId: SAMPLE_IDS.publicApp });
      const r = await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
      assert.equal(r.account?.tenantId, SAMPLE_IDS.contoso, tenant);
    }
  });

  it('userinfo (S37 path) and the end-session URL', async () => {
    const client = publicClient();
    await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
    const info = await client.getUserInfo();
    assert.equal(info.name, 'Alice Adams');
    const url = await client.endSessionUrl({ postLogoutRedirectUri: 'http://127.0.0.1:3000/' });
    assert.equal(url?.origin, em.url);
    assert.ok(url?.searchParams.get('id_token_hint'));
    assert.equal(url?.searchParams.get('post_logout_redirect_uri'), 'http://127.0.0.1:3000/');
  });

  it('a revoked grant asks for sign-in with a remediation, and keeps the cached tokens (C5)', async () => {
    const client = publicClient();
    const login = await client.loginWithDeviceCode({ scopes: ['User.Read'], onPrompt: () => {} });
    em.revokeUserGrants('alice');
    const err = await rejectsWith(
      client.acquireTokenSilent({ scopes: ['User.Read'], forceRefresh: true }),
      'INTERACTION_REQUIRED',
    );
    assert.match(err.remediation ?? '', /sign in/i);
    const stillCached = await client.acquireTokenSilent({ scopes: ['User.Read'] });
    assert.equal(stillCached.accessToken, login.accessToken);
    assert.equal((await client.getAccounts()).length, 1);
  });

  it('AADSTS misconfiguration errors carry a remediation (bad secret, unknown app)', async () => {
    const wrongSecret = createTokenClient({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.daemonApp,
      clientSecret: 'not-the-secret-value',
    });
    const e1 = (await rejectsWith(
      wrongSecret.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] }),
      'OAUTH_ERROR',
    )) as OAuthError;
    assert.equal(e1.errorClass, 'misconfiguration');
    assert.ok(e1.aadsts.includes(7000215));
    assert.match(e1.remediation ?? '', /secret VALUE/);
    assert.doesNotMatch(e1.message, /not-the-secret-value/);
    const unknown = createTokenClient({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: 'whatever-secret',
    });
    const e2 = (await rejectsWith(
      unknown.acquireAppToken({ scopes: ['https://graph.microsoft.com/.default'] }),
      'OAUTH_ERROR',
    )) as OAuthError;
    assert.ok(e2.aadsts.includes(700016));
    assert.match(e2.remediation ?? '', /client ID/);
  });
});

describe('device code sign-in that nobody completes', () => {
  let em: RunningEmulator;
  before(async () => {
    em = await startEmulator({ settings: { deviceCodeInterval: 1 } });
  });
  after(() => em.close());

  it('times out with TIMEOUT and can be cancelled with CANCELLED', async () => {
    const client = createTokenClient({
      authority: `${em.url}/organizations`,
      clientId: SAMPLE_IDS.publicApp,
    });
    await rejectsWith(
      client.loginWithDeviceCode({ scopes: ['User.Read'], timeoutMs: 2500, onPrompt: () => {} }),
      'TIMEOUT',
    );
    const controller = new AbortController();
    await rejectsWith(
      client.loginWithDeviceCode({
        scopes: ['User.Read'],
        signal: controller.signal,
        onPrompt: () => setTimeout(() => controller.abort(), 100),
      }),
      'CANCELLED',
    );
  });
});
