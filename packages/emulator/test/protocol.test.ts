import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { authorizeAuto, authorizeUrl, claimsOf, headerOf, pkce, tokenRequest } from './support/flows.ts';
import { txCookies } from './support/tx-cookies.ts';
import { webAuthorize } from './support/web-sign-in.ts';

const T = SAMPLE_IDS.contoso;
const REDIRECT = 'http://127.0.0.1:45678/';

describe('emulator protocol surface', () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice', settings: { keyGraceSeconds: 60 } });
  });
  after(() => e.close());

  async function signIn(scope: string, extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkce();
    const auth = await authorizeAuto(
      authorizeUrl(e.url, 'organizations', {
        client_id: SAMPLE_IDS.publicApp,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope,
        state: 'st',
        nonce: 'nn',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        client_info: '1',
        ...extra,
      }),
    );
    assert.equal(auth.status, 302);
    assert.equal(auth.params.get('state'), 'st');
    const code = auth.params.get('code');
    assert.ok(code);
    const token = await tokenRequest(e.url, 'organizations', {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.publicApp,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_info: '1',
    });
    assert.equal(token.status, 200, JSON.stringify(token.body.error_description));
    return { auth, token };
  }

  it('serves discovery with the {tenantid} issuer for multi-tenant segments and a concrete one otherwise', async () => {
    for (const [segment, issuer] of [
      ['common', `${'{tenantid}'}`],
      ['organizations', '{tenantid}'],
      [T, T],
      ['contoso.onmicrosoft.com', T],
      ['consumers', '9188040d-6c67-4c5b-b112-36a304b66dad'],
    ] as const) {
      const res = await fetch(`${e.url}/${segment}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'max-age=86400, private');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const doc = (await res.json()) as Record<string, unknown>;
      assert.equal(doc.issuer, `${e.url}/${issuer}/v2.0`);
      assert.equal(doc.token_endpoint, `${e.url}/${segment}/oauth2/v2.0/token`, 'endpoints echo the segment');
      assert.deepEqual(doc.response_modes_supported, ['query', 'fragment', 'form_post']);
      assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
      assert.equal(doc.device_authorization_endpoint, `${e.url}/${segment}/oauth2/v2.0/devicecode`);
    }
    const unknown = await fetch(`${e.url}/nosuch.example.com/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.match(
      ((await unknown.json()) as { error_description: string }).error_description,
      /^AADSTS90002:/,
    );
  });

  it('answers MSAL instance discovery', async () => {
    const res = await fetch(
      `${e.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${e.url}/${T}/oauth2/v2.0/authorize`)}`,
    );
    const body = (await res.json()) as {
      tenant_discovery_endpoint: string;
      metadata: { aliases: string[] }[];
    };
    assert.equal(body.tenant_discovery_endpoint, `${e.url}/${T}/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(body.metadata[0]!.aliases, [new URL(e.url).host]);
  });

  it('publishes RSA keys with kid, x5t and x5c that verify the tokens it signs', async () => {
    const jwks = (await (await fetch(`${e.url}/${T}/discovery/v2.0/keys`)).json()) as JSONWebKeySet & {
      keys: Record<string, unknown>[];
    };
    for (const k of jwks.keys) {
      assert.equal(k.kty, 'RSA');
      assert.equal(k.use, 'sig');
      assert.equal(k.kid, k.x5t);
      const der = Buffer.from((k.x5c as string[])[0]!, 'base64');
      assert.equal(
        createHash('sha1').update(der).digest('base64url'),
        k.x5t,
        'x5t is the certificate thumbprint',
      );
    }
    const { token } = await signIn('openid profile email offline_access User.Read');
    const idToken = token.body.id_token as string;
    const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: `${e.url}/${T}/v2.0`,
      audience: SAMPLE_IDS.publicApp,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(payload.nonce, 'nn');
    assert.equal(payload.tid, T);
    assert.equal(payload.oid, SAMPLE_IDS.alice);
    assert.equal(payload.ver, '2.0');
    assert.equal(payload.preferred_username, 'alice@contoso.onmicrosoft.com');
    assert.equal(payload.email, 'alice@contoso.onmicrosoft.com');
    assert.notEqual(payload.sub, SAMPLE_IDS.alice, 'sub is pairwise, not the object id');
    assert.equal((payload.exp as number) - (payload.iat as number) > 0, true);
  });

  it('returns Entra-shaped token responses: v1 Graph token, client_info, ext_expires_in, no-store', async () => {
    const { token } = await signIn('openid profile offline_access User.Read');
    assert.equal(token.headers.get('cache-control'), 'no-store, no-cache');
    assert.equal(token.headers.get('pragma'), 'no-cache');
    const b = token.body;
    assert.equal(b.token_type, 'Bearer');
    assert.equal(typeof b.expires_in, 'number');
    assert.equal(b.ext_expires_in, b.expires_in);
    // Asked bare, named bare (as Entra does; see fidelity-token-scope.test.ts), offline_access never named.
    const named = String(b.scope).split(' ');
    for (const s of ['User.Read', 'openid', 'profile', 'email'])
      assert.ok(named.includes(s), `scope has ${s}`);
    assert.ok(!named.some((s) => s.includes('/') || s === 'offline_access'), `scope ${String(b.scope)}`);
    assert.ok(b.refresh_token);
    const info = JSON.parse(Buffer.from(String(b.client_info), 'base64url').toString());
    assert.deepEqual(info, { uid: SAMPLE_IDS.alice, utid: T });
    assert.doesNotMatch(String(b.client_info), /=/, 'no padding');
    const at = claimsOf(b.access_token);
    assert.equal(at.aud, 'https://graph.microsoft.com');
    assert.equal(at.iss, `${e.url}/${T}/`);
    assert.equal(at.ver, '1.0');
    assert.equal(at.upn, 'alice@contoso.onmicrosoft.com');
    assert.equal(at.appid, SAMPLE_IDS.publicApp);
    assert.equal(at.appidacr, '0');
    assert.match(String(at.scp), /User\.Read/);
    assert.ok(headerOf(b.access_token).x5t, 'v1 access tokens carry x5t');
    const me = await fetch(`${e.url}/v1.0/me`, { headers: { Authorization: `Bearer ${b.access_token}` } });
    assert.equal(me.status, 200);
    const profile = (await me.json()) as Record<string, unknown>;
    assert.equal(profile.id, SAMPLE_IDS.alice);
    assert.equal(profile.userPrincipalName, 'alice@contoso.onmicrosoft.com');
    assert.equal(profile.mobilePhone, null, 'nulls present as on Graph');
  });

  it('issues v2 tokens for an API that asks for them, and one refresh token serves every consented resource', async () => {
    const api = `api://${SAMPLE_IDS.apiApp}`;
    const { token } = await signIn(
      `openid offline_access ${api}/access_as_user https://outlook.office.com/IMAP.AccessAsUser.All`,
    );
    const at = claimsOf(token.body.access_token);
    assert.equal(at.aud, SAMPLE_IDS.apiApp, 'v2: aud is the API client id');
    assert.equal(at.iss, `${e.url}/${T}/v2.0`);
    assert.equal(at.azp, SAMPLE_IDS.publicApp);
    assert.equal(at.scp, 'access_as_user');
    const outlook = await tokenRequest(e.url, 'organizations', {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.publicApp,
      refresh_token: String(token.body.refresh_token),
      scope: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
    });
    assert.equal(outlook.status, 200);
    assert.equal(claimsOf(outlook.body.access_token).aud, 'https://outlook.office.com');
    assert.notEqual(outlook.body.refresh_token, token.body.refresh_token, 'a new refresh token every time');
    const again = await tokenRequest(e.url, 'organizations', {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.publicApp,
      refresh_token: String(token.body.refresh_token),
    });
    assert.equal(again.status, 200, 'the old refresh token is not revoked by rotation (Entra behaviour)');
    const notConsented = await tokenRequest(e.url, 'organizations', {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.publicApp,
      refresh_token: String(token.body.refresh_token),
      scope: 'https://graph.microsoft.com/Mail.Send',
    });
    assert.equal(notConsented.status, 400);
    assert.equal(notConsented.body.suberror, 'consent_required');
  });

  it('supports hybrid code id_token with c_hash, and form_post', async () => {
    const hybrid = await authorizeAuto(
      webAuthorize(e, { response_type: 'code id_token', scope: 'openid profile', nonce: 'n2', state: 's2' }),
    );
    assert.equal(hybrid.status, 302);
    assert.ok(new URL(hybrid.location!).hash, 'hybrid defaults to the fragment');
    const idToken = hybrid.params.get('id_token')!;
    const code = hybrid.params.get('code')!;
    const digest = createHash('sha256').update(code).digest();
    assert.equal(claimsOf(idToken).c_hash, digest.subarray(0, 16).toString('base64url'));
    assert.equal(claimsOf(idToken).nonce, 'n2');

    const post = await fetch(webAuthorize(e, { response_mode: 'form_post', scope: 'openid', state: 's3' }), {
      redirect: 'manual',
    });
    assert.equal(post.status, 200);
    const html = await post.text();
    assert.match(html, /<form[^>]+method="post"[^>]+action="http:\/\/127\.0\.0\.1:3000\/auth\/callback"/);
    assert.match(html, /name="state" value="s3"/);
    assert.match(post.headers.get('content-security-policy') ?? '', /form-action http:\/\/127\.0\.0\.1:3000/);
  });

  it('authenticates confidential clients with client_secret_basic (form-urlencoded first)', async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(SAMPLE_IDS.daemonApp)}:${encodeURIComponent(SAMPLE_SECRETS.daemonApp)}`,
    ).toString('base64');
    const res = await tokenRequest(
      e.url,
      T,
      { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
      { Authorization: `Basic ${basic}` },
    );
    assert.equal(res.status, 200);
    const at = claimsOf(res.body.access_token);
    assert.deepEqual(at.roles, ['User.Read.All']);
    assert.equal(at.idtyp, 'app');
    assert.equal(at.appidacr, '1');
    assert.equal(res.body.refresh_token, undefined);
    const api = await tokenRequest(e.url, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: `api://${SAMPLE_IDS.apiApp}/.default`,
    });
    assert.deepEqual(claimsOf(api.body.access_token).roles, ['Data.Read.All']);
    assert.equal(claimsOf(api.body.access_token).aud, SAMPLE_IDS.apiApp);
  });

  it('introspects tokens for mail servers (RFC 7662, client credentials in the body)', async () => {
    const { token } = await signIn('openid offline_access https://outlook.office.com/IMAP.AccessAsUser.All');
    const introspect = (t: string, secret: string = SAMPLE_SECRETS.webApp) =>
      fetch(`${e.url}/${T}/oauth2/v2.0/introspect`, {
        method: 'POST',
        body: new URLSearchParams({ token: t, client_id: SAMPLE_IDS.webApp, client_secret: secret }),
      });
    const ok = (await (await introspect(String(token.body.access_token))).json()) as Record<string, unknown>;
    assert.equal(ok.active, true);
    assert.equal(ok.username, 'alice@contoso.onmicrosoft.com');
    assert.equal(ok.token_type, 'Bearer');
    assert.equal(ok.aud, 'https://outlook.office.com');
    assert.equal(ok.client_id, SAMPLE_IDS.publicApp);
    assert.match(String(ok.scope), /IMAP\.AccessAsUser\.All/);
    for (const k of ['sub', 'iss', 'exp']) assert.ok(ok[k], k);
    assert.deepEqual(await (await introspect('garbage')).json(), { active: false });
    assert.deepEqual(
      await (await introspect(String(token.body.id_token))).json(),
      { active: false },
      'an ID token is not an access token',
    );
    assert.equal((await introspect(String(token.body.access_token), 'wrong-secret-123')).status, 401);
  });

  it('introspection with ?audience= reports tokens for other resources inactive (RFC 7662 §2.2)', async () => {
    const { token } = await signIn('openid offline_access https://outlook.office.com/IMAP.AccessAsUser.All');
    const graph = await tokenRequest(e.url, T, {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.publicApp,
      refresh_token: String(token.body.refresh_token),
      scope: 'https://graph.microsoft.com/User.Read',
    });
    assert.equal(claimsOf(graph.body.access_token).aud, 'https://graph.microsoft.com');
    const introspect = async (t: string, audience: string) =>
      (await (
        await fetch(`${e.url}/${T}/oauth2/v2.0/introspect?audience=${encodeURIComponent(audience)}`, {
          method: 'POST',
          body: new URLSearchParams({
            token: t,
            client_id: SAMPLE_IDS.webApp,
            client_secret: SAMPLE_SECRETS.webApp,
          }),
        })
      ).json()) as Record<string, unknown>;
    const mail = String(token.body.access_token);
    assert.equal((await introspect(mail, 'https://outlook.office.com')).active, true);
    assert.equal(
      (await introspect(mail, 'https://outlook.office365.com')).active,
      true,
      'an alias of the resource',
    );
    assert.equal(
      (await introspect(mail, 'https://graph.microsoft.com,https://outlook.office.com')).active,
      true,
    );
    assert.deepEqual(await introspect(mail, 'https://graph.microsoft.com'), { active: false });
    assert.deepEqual(await introspect(String(graph.body.access_token), 'https://outlook.office.com'), {
      active: false,
    });
  });

  it('rotates keys on demand, keeping the old key published for the grace period', async () => {
    const before = (await (await fetch(`${e.url}/${T}/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    const { token } = await signIn('openid User.Read');
    const oldKid = headerOf(token.body.id_token).kid;
    const newKid = await e.rotateKeys();
    const afterRotation = (await (await fetch(`${e.url}/${T}/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    assert.deepEqual(
      afterRotation.keys.map((k) => k.kid),
      [newKid, ...before.keys.map((k) => k.kid)],
    );
    const me = await fetch(`${e.url}/v1.0/me`, {
      headers: { Authorization: `Bearer ${token.body.access_token}` },
    });
    assert.equal(me.status, 200, 'tokens signed with the old key still verify during the grace period');
    const fresh = await signIn('openid User.Read');
    assert.equal(headerOf(fresh.token.body.id_token).kid, newKid);
    assert.notEqual(oldKid, newKid);
  });

  it('keeps an SSO session: prompt=none works after a sign-in; logout ends it and honours registered URIs only', async () => {
    const plain = await startEmulator({});
    try {
      const login = await fetch(webAuthorize(plain, { scope: 'openid' }), { redirect: 'manual' });
      const html = await login.text();
      const tx = /name="tx" value="([^"]+)"/.exec(html)![1]!;
      const txCookie = txCookies(login);
      const posted = await fetch(`${plain.url}/_ui/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: txCookie },
        body: new URLSearchParams({
          tx,
          username: 'bob@contoso.onmicrosoft.com',
          password: 'bob-password-1',
        }),
      });
      const cookie = posted.headers
        .getSetCookie()
        .find((c) => c.startsWith('tokenloop_sso='))!
        .split(';')[0]!;
      assert.match(cookie, /^tokenloop_sso=/);
      const consentHtml = await posted.text();
      const tx2 = /name="tx" value="([^"]+)"/.exec(consentHtml)?.[1];
      const done = tx2
        ? await fetch(`${plain.url}/_ui/consent`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie: `${cookie}; ${txCookie}` },
            body: new URLSearchParams({ tx: tx2, decision: 'accept' }),
          })
        : posted;
      assert.equal(done.status, 302);
      const silent = await fetch(webAuthorize(plain, { scope: 'openid', prompt: 'none', state: 'q' }), {
        redirect: 'manual',
        headers: { cookie },
      });
      assert.equal(silent.status, 302);
      assert.ok(
        new URL(silent.headers.get('location')!).searchParams.get('code'),
        'silent sign-in with the SSO cookie',
      );
      // Without an id_token_hint the user is asked first (S85); the confirmation's post is bound to the browser.
      const ask = await fetch(
        `${plain.url}/${T}/oauth2/v2.0/logout?client_id=${SAMPLE_IDS.webApp}&post_logout_redirect_uri=${encodeURIComponent('http://127.0.0.1:3000/')}&state=z`,
        { redirect: 'manual', headers: { cookie } },
      );
      assert.equal(ask.status, 200);
      const askHtml = await ask.text();
      assert.match(askHtml, /<h1>Sign out<\/h1>/);
      const out = await fetch(`${plain.url}/_ui/sign-out`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: `${cookie}; ${txCookies(ask)}` },
        body: new URLSearchParams({ tx: /name="tx" value="([^"]+)"/.exec(askHtml)![1]! }),
      });
      assert.equal(out.status, 302);
      assert.equal(out.headers.get('location'), 'http://127.0.0.1:3000/?state=z');
      const afterLogout = await fetch(webAuthorize(plain, { scope: 'openid', prompt: 'none' }), {
        redirect: 'manual',
        headers: { cookie },
      });
      assert.equal(new URL(afterLogout.headers.get('location')!).searchParams.get('error'), 'login_required');
      const evil = await fetch(
        `${plain.url}/${T}/oauth2/v2.0/logout?client_id=${SAMPLE_IDS.webApp}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
        {
          redirect: 'manual',
        },
      );
      assert.equal(evil.status, 200, 'an unregistered post-logout URI shows the signed-out page instead');
      assert.equal(evil.headers.get('location'), null);
    } finally {
      await plain.close();
    }
  });

  it('counts token requests by grant type and client id', async () => {
    e.resetStats();
    await tokenRequest(e.url, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: 'https://graph.microsoft.com/.default',
    });
    await tokenRequest(e.url, T, {
      grant_type: 'refresh_token',
      client_id: SAMPLE_IDS.publicApp,
      refresh_token: 'nope',
    });
    const stats = (await (await fetch(`${e.url}/_emulator/stats`)).json()) as {
      token_requests: Record<string, Record<string, number>>;
    };
    assert.deepEqual(stats, {
      token_requests: {
        client_credentials: { [SAMPLE_IDS.daemonApp]: 1 },
        refresh_token: { [SAMPLE_IDS.publicApp]: 1 },
      },
      cors_preflights: 0,
      claims_requests: { cp1: 0, nbf: 0 },
    });
  });
});
