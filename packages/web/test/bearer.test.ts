// API protection (S44–S53) against real tokens from the emulator, through an Express API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createTokenClient } from 'tokenloop';
import { startApi } from './support/api-server.js';

const API = `api://${SAMPLE_IDS.apiApp}`;

for (const adapter of ['express', 'fastify'] as const) {
  describe(`requireBearer (S44–S53, ${adapter})`, () => {
    let em: RunningEmulator;
    let api: Awaited<ReturnType<typeof startApi>>;
    let userToken: string;
    let graphToken: string;
    let idToken: string;
    let appToken: string;
    before(async () => {
      em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
      const authority = `${em.url}/${SAMPLE_IDS.contoso}`;
      api = await startApi({ authority, audience: [SAMPLE_IDS.apiApp, API] }, adapter);
      const user = createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp });
      const login = await user.loginWithDeviceCode({
        scopes: [`${API}/access_as_user`],
        extraScopesToConsent: ['User.Read'],
        onPrompt: () => {},
      });
      userToken = login.accessToken;
      idToken = login.idToken!;
      graphToken = (await user.acquireTokenSilent({ scopes: ['User.Read'] })).accessToken;
      const daemon = createTokenClient({
        authority,
        clientId: SAMPLE_IDS.daemonApp,
        clientSecret: SAMPLE_SECRETS.daemonApp,
      });
      appToken = (await daemon.acquireAppToken({ scopes: [`${API}/.default`] })).accessToken;
    });
    after(async () => {
      await api.close();
      await em.close();
    });

    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${api.url}${path}`, { headers });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

    it("a valid delegated token with the route's scope passes", async () => {
      const res = await get('/read', bearer(userToken));
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { scp: string }).scp, 'access_as_user');
    });

    it('S44: the scheme is case-insensitive; a token in the query is ignored; two methods at once → 400', async () => {
      assert.equal((await get('/read', { authorization: `bEaReR ${userToken}` })).status, 200);
      const query = await get(`/read?access_token=${userToken}`);
      assert.equal(query.status, 401);
      assert.equal((await get(`/read?access_token=${userToken}`, bearer(userToken))).status, 400);
      const both = await fetch(`${api.url}/read`, {
        method: 'POST',
        headers: { ...bearer(userToken), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: userToken }),
      });
      assert.equal(both.status, 400);
      assert.match(both.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    });

    it('S45: none → 401 Bearer; bad → 401 invalid_token; not granted → 403 insufficient_scope', async () => {
      const none = await get('/read');
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="api"');
      const bad = await get('/read', bearer('not.a.token'));
      assert.equal(bad.status, 401);
      assert.match(bad.headers.get('www-authenticate') ?? '', /^Bearer realm="api", error="invalid_token"/);
      const scope = await get('/admin', bearer(userToken));
      assert.equal(scope.status, 403);
      assert.match(
        scope.headers.get('www-authenticate') ?? '',
        /error="insufficient_scope", .*scope="Data.Read.All"/,
      );
    });

    it('S46: keys only from the issuer: embedded jwk, jku, HS256 and alg none are refused', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const claims = JSON.parse(Buffer.from(userToken.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const embedded = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
      const jku = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', jku: 'http://127.0.0.1:9/keys', kid: 'evil' })
        .sign(privateKey);
      const hs = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('secret'));
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${userToken.split('.')[1]}.`;
      for (const t of [embedded, jku, hs, none]) {
        const res = await get('/read', bearer(t));
        assert.equal(res.status, 401, t.slice(0, 20));
      }
    });

    it('S47: a Graph token (another audience) → 401; S48: an ID token is not an access token → 401', async () => {
      const graph = await get('/any', bearer(graphToken));
      assert.equal(graph.status, 401);
      assert.match(graph.headers.get('www-authenticate') ?? '', /another audience/);
      const id = await get('/any', bearer(idToken));
      assert.equal(id.status, 401);
    });

    it('S50: delegated scopes vs application roles are enforced per route', async () => {
      assert.equal((await get('/admin', bearer(appToken))).status, 200, 'app token with the role');
      assert.equal((await get('/read', bearer(appToken))).status, 403, 'app token on a delegated route');
      assert.equal((await get('/admin', bearer(userToken))).status, 403, 'user token on an app-role route');
    });

    it('S49: expiry is checked with a bounded, configurable leeway', async () => {
      const shortLived = await startEmulator({
        autoLogin: 'alice',
        accessTokenLifetime: 1,
        settings: { deviceCodeInterval: 1 },
      });
      try {
        const authority = `${shortLived.url}/${SAMPLE_IDS.contoso}`;
        const user = createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp });
        const { accessToken } = await user.loginWithDeviceCode({
          scopes: [`${API}/access_as_user`],
          onPrompt: () => {},
        });
        await new Promise((r) => setTimeout(r, 2200));
        const { createAccessTokenVerifier } = await import('@tokenloop/web');
        const strict = createAccessTokenVerifier({
          authority,
          audience: [SAMPLE_IDS.apiApp, API],
          clockToleranceSeconds: 0,
        });
        await assert.rejects(strict.verify(accessToken), /expired/);
        const lenient = createAccessTokenVerifier({ authority, audience: [SAMPLE_IDS.apiApp, API] });
        assert.ok((await lenient.verify(accessToken)).sub, 'within the default 60 s leeway');
      } finally {
        await shortLived.close();
      }
    });

    it('S51, S53: responses never echo the token; malformed and huge input get clean 4xx', async () => {
      const bad = `${userToken.slice(0, -5)}AAAAA`;
      const res = await get('/read', bearer(bad));
      assert.equal(res.status, 401);
      const body = await res.text();
      assert.ok(!body.includes(bad) && !(res.headers.get('www-authenticate') ?? '').includes(bad));
      const jwe = await get('/read', bearer('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'));
      assert.equal(jwe.status, 401, 'an encrypted token is not accepted');
      const huge = await get('/read', bearer(`eyJhbGciOiJSUzI1NiJ9.${'A'.repeat(60_000)}.sig`)).catch(
        () => undefined,
      );
      assert.ok(huge === undefined || huge.status === 401 || huge.status === 431, `got ${huge?.status}`);
      const encoding = await fetch(`${api.url}/read?%E0%A4%A=1`, { headers: bearer(userToken) });
      assert.ok(encoding.status < 500, `bad percent-encoding: ${encoding.status}`);
    });
  });
}

describe('Entra v1 and v2 access tokens', () => {
  it('a v1.0 token (issuer {origin}/{tid}/, aud = App ID URI) is accepted; the multi-tenant allow-list applies', async () => {
    const em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    try {
      const v1 = em.addApp({
        name: 'V1 API',
        type: 'api',
        tenant: SAMPLE_IDS.contoso,
        appIdUri: 'api://v1-api',
        accessTokenVersion: 1,
        scopes: [{ value: 'read', description: 'Read' }],
        adminConsented: true,
      });
      const client = em.addApp({
        name: 'V1 caller',
        type: 'public',
        tenant: SAMPLE_IDS.contoso,
        redirectUris: ['http://127.0.0.1'],
        allowPublicClientFlows: true,
        delegatedPermissions: { 'api://v1-api': ['read'] },
        adminConsented: true,
      });
      const user = createTokenClient({ authority: `${em.url}/organizations`, clientId: client.clientId });
      const { accessToken } = await user.loginWithDeviceCode({
        scopes: ['api://v1-api/read'],
        onPrompt: () => {},
      });
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      assert.equal(claims.ver, '1.0');
      assert.equal(claims.iss, `${em.url}/${SAMPLE_IDS.contoso}/`);
      const { createAccessTokenVerifier } = await import('@tokenloop/web');
      const tenantApi = createAccessTokenVerifier({
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        audience: ['api://v1-api', v1.clientId],
      });
      assert.equal((await tenantApi.verify(accessToken)).scp, 'read');
      const multi = createAccessTokenVerifier({
        authority: `${em.url}/organizations`,
        audience: 'api://v1-api',
        allowedTenants: [SAMPLE_IDS.contoso],
      });
      assert.equal((await multi.verify(accessToken)).scp, 'read');
      const elsewhere = createAccessTokenVerifier({
        authority: `${em.url}/organizations`,
        audience: 'api://v1-api',
        allowedTenants: [SAMPLE_IDS.fabrikam],
      });
      await assert.rejects(elsewhere.verify(accessToken), /tenant that is not accepted/);
    } finally {
      await em.close();
    }
  });
});
