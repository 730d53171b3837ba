import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { hiddenTx, withEmulator } from './support/harness.ts';
import { txCookies } from './support/tx-cookies.ts';

/*
 * A second, independent client: panva's openid-client v6 (on oauth4webapi) runs discovery, authorization
 * code + PKCE (checking state, nonce and the ID token), refresh, userinfo and client credentials against a
 * tenant-specific authority of the emulator — over http with allowInsecureRequests, and once over https
 * trusting the emulator's local CA through a custom fetch.
 */

const T = SAMPLE_IDS.contoso;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const PUBLIC_REDIRECT = 'http://127.0.0.1:45998/';
const SCOPE = 'openid profile email offline_access https://graph.microsoft.com/User.Read';
const TIMEOUT = { timeout: 30_000 };
const insecure = { execute: [client.allowInsecureRequests] };

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const plainFetch: Fetch = (url, init = {}) =>
  fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init });

function issuerOf(e: RunningEmulator): URL {
  return new URL(`${e.url}/${T}/v2.0`);
}

/** Decodes a JWT payload without verifying it: only to look at claims of a token openid-client received. */
function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

interface AuthRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function authRequest(
  config: client.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<AuthRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** The authorize step on an auto-login emulator: a 302 straight to the redirect URI. */
async function autoAuthorize(
  req: AuthRequest,
  redirectUri: string,
  doFetch: Fetch = plainFetch,
): Promise<URL> {
  const res = await doFetch(req.url.href);
  assert.equal(res.status, 302);
  const location = res.headers.get('location') ?? '';
  assert.ok(location.startsWith(redirectUri), 'redirected to the client');
  const callback = new URL(location);
  assert.equal(
    callback.searchParams.get('error'),
    null,
    callback.searchParams.get('error_description') ?? '',
  );
  assert.equal(callback.searchParams.get('state'), req.state);
  return callback;
}

function postForm(url: string, fields: Record<string, string>, cookie: string): Promise<Response> {
  return plainFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('openid-client v6 against a tenant authority (http, allowInsecureRequests)', TIMEOUT, () => {
  it('refuses plain http unless allowInsecureRequests is given', async () => {
    await withEmulator({}, async (e) => {
      await assert.rejects(client.discovery(issuerOf(e), SAMPLE_IDS.webApp), {
        code: 'OAUTH_HTTP_REQUEST_FORBIDDEN',
      });
    });
  });

  it('web app: discovery, code + PKCE + state + nonce, ID token checks, userinfo, refresh', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const issuer = issuerOf(e);
      const config = await client.discovery(
        issuer,
        SAMPLE_IDS.webApp,
        undefined,
        client.ClientSecretPost(SAMPLE_SECRETS.webApp),
        insecure,
      );
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, issuer.href);
      assert.equal(meta.authorization_endpoint, `${e.url}/${T}/oauth2/v2.0/authorize`);
      assert.equal(meta.token_endpoint, `${e.url}/${T}/oauth2/v2.0/token`);
      assert.equal(meta.jwks_uri, `${e.url}/${T}/discovery/v2.0/keys`);
      assert.equal(meta.userinfo_endpoint, `${e.url}/oidc/userinfo`);
      assert.ok(meta.supportsPKCE('S256'));

      const req = await authRequest(config, WEB_REDIRECT);
      assert.equal(`${req.url.origin}${req.url.pathname}`, meta.authorization_endpoint);
      assert.equal(req.url.searchParams.get('client_id'), SAMPLE_IDS.webApp);
      assert.equal(req.url.searchParams.get('response_type'), 'code');
      const callback = await autoAuthorize(req, WEB_REDIRECT);

      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
        idTokenExpected: true,
      });
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(typeof tokens.expires_in, 'number');
      assert.ok(tokens.expiresIn()! > 0);
      assert.ok(typeof tokens.refresh_token === 'string' && tokens.refresh_token.length > 0);
      // As Entra answers a fully qualified Graph request: qualified permissions, openid profile email, and
      // never offline_access (see fidelity-token-scope.test.ts).
      assert.deepEqual(tokens.scope?.split(' ').sort(), [
        'email',
        'https://graph.microsoft.com/User.Read',
        'openid',
        'profile',
      ]);
      const claims = tokens.claims();
      assert.ok(claims);
      assert.equal(claims.iss, issuer.href);
      assert.equal(claims.aud, SAMPLE_IDS.webApp);
      assert.equal(claims.tid, T);
      assert.equal(claims.oid, SAMPLE_IDS.alice);
      assert.equal(claims.nonce, req.nonce);
      assert.equal(claims.ver, '2.0');
      assert.equal(claims.preferred_username, 'alice@contoso.onmicrosoft.com');
      assert.equal(claims.email, 'alice@contoso.onmicrosoft.com');

      // userinfo takes the Graph access token; its sub is the ID token's (pairwise) sub
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.sub, claims.sub);
      assert.equal(info.name, 'Alice Adams');
      assert.equal(info.email, 'alice@contoso.onmicrosoft.com');
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, 'someone-else'), {
        code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      });

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token && refreshed.access_token !== tokens.access_token, 'new access token');
      assert.ok(
        refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token,
        'a new refresh token on every redemption',
      );
      assert.equal(refreshed.claims()?.sub, claims.sub);
      assert.equal(refreshed.claims()?.iss, issuer.href);
      const info2 = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
      assert.equal(info2.sub, claims.sub);
      // as on Entra, the old refresh token keeps working
      const again = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(again.claims()?.sub, claims.sub);
    });
  });

  it("openid-client's checks bite: wrong state, wrong nonce, wrong PKCE verifier", async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const config = await client.discovery(
        issuerOf(e),
        SAMPLE_IDS.webApp,
        undefined,
        client.ClientSecretBasic(SAMPLE_SECRETS.webApp),
        insecure,
      );
      const r1 = await authRequest(config, WEB_REDIRECT);
      const cb1 = await autoAuthorize(r1, WEB_REDIRECT);
      await assert.rejects(
        client.authorizationCodeGrant(config, cb1, {
          pkceCodeVerifier: r1.verifier,
          expectedState: client.randomState(),
          expectedNonce: r1.nonce,
        }),
        { code: 'OAUTH_INVALID_RESPONSE' },
      );

      const r2 = await authRequest(config, WEB_REDIRECT);
      const cb2 = await autoAuthorize(r2, WEB_REDIRECT);
      await assert.rejects(
        client.authorizationCodeGrant(config, cb2, {
          pkceCodeVerifier: r2.verifier,
          expectedState: r2.state,
          expectedNonce: client.randomNonce(),
        }),
        { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' },
      );

      const r3 = await authRequest(config, WEB_REDIRECT);
      const cb3 = await autoAuthorize(r3, WEB_REDIRECT);
      await assert.rejects(
        client.authorizationCodeGrant(config, cb3, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: r3.state,
          expectedNonce: r3.nonce,
        }),
        (err: unknown) => {
          assert.ok(err instanceof client.ResponseBodyError);
          assert.equal(err.error, 'invalid_grant');
          assert.deepEqual(err.cause.error_codes, [50148]);
          return true;
        },
      );
    });
  });

  it('public app: login and consent forms, then a silent sign-in from the SSO cookie', async () => {
    await withEmulator({}, async (e) => {
      const config = await client.discovery(
        issuerOf(e),
        SAMPLE_IDS.publicApp,
        undefined,
        client.None(),
        insecure,
      );
      const req = await authRequest(config, PUBLIC_REDIRECT);
      const page = await plainFetch(req.url.href);
      assert.equal(page.status, 200);
      // the browser's transaction cookie goes back with each page post
      const txCookie = txCookies(page);
      const login = await postForm(
        `${e.url}/_ui/login`,
        {
          tx: hiddenTx(await page.text()),
          username: 'alice@contoso.onmicrosoft.com',
          password: 'alice-password-1',
        },
        txCookie,
      );
      assert.equal(login.status, 200);
      const consentHtml = await login.text();
      assert.match(consentHtml, /Permissions requested/);
      const done = await postForm(
        `${e.url}/_ui/consent`,
        { tx: hiddenTx(consentHtml), decision: 'accept' },
        txCookie,
      );
      assert.equal(done.status, 302);
      const sso = done.headers.getSetCookie().find((c) => c.startsWith('tokenloop_sso='));
      assert.ok(sso, 'SSO cookie set');
      const callback = new URL(done.headers.get('location')!);
      assert.ok(callback.href.startsWith(PUBLIC_REDIRECT));

      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.aud, SAMPLE_IDS.publicApp);
      assert.equal(claims.oid, SAMPLE_IDS.alice);
      assert.equal((await client.fetchUserInfo(config, tokens.access_token, claims.sub)).sub, claims.sub);

      // the same browser signs in again without a page
      const silent = await authRequest(config, PUBLIC_REDIRECT, { prompt: 'none' });
      const cb = await autoAuthorize(silent, PUBLIC_REDIRECT, (url, init = {}) =>
        plainFetch(url, { ...init, headers: { cookie: sso.split(';')[0]! } }),
      );
      const second = await client.authorizationCodeGrant(config, cb, {
        pkceCodeVerifier: silent.verifier,
        expectedState: silent.state,
        expectedNonce: silent.nonce,
      });
      assert.equal(second.claims()?.sub, claims.sub);
      const refreshed = await client.refreshTokenGrant(config, second.refresh_token!);
      assert.equal(refreshed.claims()?.sub, claims.sub);
    });
  });

  it('daemon: client credentials against the tenant authority', async () => {
    await withEmulator({}, async (e) => {
      const config = await client.discovery(
        issuerOf(e),
        SAMPLE_IDS.daemonApp,
        undefined,
        client.ClientSecretBasic(SAMPLE_SECRETS.daemonApp),
        insecure,
      );
      const tokens = await client.clientCredentialsGrant(config, {
        scope: 'https://graph.microsoft.com/.default',
      });
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.id_token, undefined);
      const at = payloadOf(tokens.access_token);
      assert.equal(at.aud, 'https://graph.microsoft.com');
      assert.equal(at.tid, T);
      assert.equal(at.appid, SAMPLE_IDS.daemonApp);
      assert.equal(at.idtyp, 'app');
      assert.deepEqual(at.roles, ['User.Read.All']);

      const post = await client.discovery(
        issuerOf(e),
        SAMPLE_IDS.daemonApp,
        SAMPLE_SECRETS.daemonApp,
        undefined,
        insecure,
      );
      const viaPost = await client.clientCredentialsGrant(post, {
        scope: `api://${SAMPLE_IDS.apiApp}/.default`,
      });
      const apiToken = payloadOf(viaPost.access_token);
      assert.equal(apiToken.aud, SAMPLE_IDS.apiApp);
      assert.deepEqual(apiToken.roles, ['Data.Read.All']);

      const wrong = await client.discovery(
        issuerOf(e),
        SAMPLE_IDS.daemonApp,
        undefined,
        client.ClientSecretPost('not-the-secret'),
        insecure,
      );
      await assert.rejects(
        client.clientCredentialsGrant(wrong, { scope: 'https://graph.microsoft.com/.default' }),
        (err: unknown) => {
          assert.ok(err instanceof client.ResponseBodyError);
          assert.equal(err.status, 401);
          assert.equal(err.error, 'invalid_client');
          assert.deepEqual(err.cause.error_codes, [7000215]);
          return true;
        },
      );
    });
  });
});

describe('openid-client and the multi-tenant organizations authority', TIMEOUT, () => {
  it('advertises the {tenantid} issuer, which openid-client rejects as a mismatch; substituting tid works', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const res = await plainFetch(`${e.url}/organizations/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as client.ServerMetadata;
      assert.equal(doc.issuer, `${e.url}/{tenantid}/v2.0`);
      assert.equal(doc.authorization_endpoint, `${e.url}/organizations/oauth2/v2.0/authorize`);
      assert.equal(doc.token_endpoint, `${e.url}/organizations/oauth2/v2.0/token`);

      await assert.rejects(
        client.discovery(
          new URL(`${e.url}/organizations/v2.0`),
          SAMPLE_IDS.webApp,
          undefined,
          undefined,
          insecure,
        ),
        { code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' },
      );

      // What an Entra-aware validator does: put the tenant's id in place of {tenantid} (here known up front).
      const config = new client.Configuration(
        { ...doc, issuer: doc.issuer.replace('{tenantid}', T) },
        SAMPLE_IDS.webApp,
        undefined,
        client.ClientSecretPost(SAMPLE_SECRETS.webApp),
      );
      client.allowInsecureRequests(config);
      const req = await authRequest(config, WEB_REDIRECT);
      assert.equal(req.url.pathname, '/organizations/oauth2/v2.0/authorize');
      const tokens = await client.authorizationCodeGrant(config, await autoAuthorize(req, WEB_REDIRECT), {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
        idTokenExpected: true,
      });
      assert.equal(tokens.claims()?.iss, `${e.url}/${T}/v2.0`);
      assert.equal(tokens.claims()?.tid, T);
    });
  });
});

describe('openid-client over https, trusting the local CA with a custom fetch', TIMEOUT, () => {
  it('discovery, code + PKCE, userinfo and refresh over https', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenloop-oidc-https-'));
    const e = await startEmulator({ https: true, dataDir, autoLogin: 'alice' });
    const agent = new Agent({ connect: { ca: await readFile(e.caCertFile!, 'utf8') } });
    try {
      assert.ok(e.url.startsWith('https://127.0.0.1:'));
      const withCa: Fetch = (url, init = {}) =>
        undiciFetch(url, {
          ...(init as Parameters<typeof undiciFetch>[1]),
          dispatcher: agent,
        }) as unknown as Promise<Response>;
      const caFetch: client.CustomFetch = (url, options) => withCa(url, options as RequestInit);

      // without the CA the emulator's certificate is not trusted
      await assert.rejects(plainFetch(`${e.url}/${T}/v2.0/.well-known/openid-configuration`));

      const issuer = issuerOf(e);
      const config = await client.discovery(
        issuer,
        SAMPLE_IDS.webApp,
        undefined,
        client.ClientSecretBasic(SAMPLE_SECRETS.webApp),
        { [client.customFetch]: caFetch },
      );
      assert.equal(config.serverMetadata().issuer, issuer.href);
      assert.ok(config.serverMetadata().token_endpoint?.startsWith('https://'));

      const req = await authRequest(config, WEB_REDIRECT);
      const callback = await autoAuthorize(req, WEB_REDIRECT, (url, init = {}) =>
        withCa(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000), ...init }),
      );
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.iss, issuer.href);
      assert.equal(claims.oid, SAMPLE_IDS.alice);
      assert.equal((await client.fetchUserInfo(config, tokens.access_token, claims.sub)).sub, claims.sub);
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(refreshed.claims()?.sub, claims.sub);
    } finally {
      await agent.close();
      await e.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
