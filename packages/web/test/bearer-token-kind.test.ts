// Access tokens only, and app-only tokens for roles (S48, S50). The emulator's tokens show what Entra's carry;
// the emulator never puts `roles` into an ID token (Entra does, for a user's app roles), so those tokens are
// the emulator's own claims re-signed by a loopback issuer with a key of this test (support/bearer-issuer.ts),
// which also plays a generic OpenID provider for the RFC 9068 (`typ: at+jwt`) rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { type AccessTokenVerifier, createAccessTokenVerifier, InvalidTokenError } from '@tokenloop/web';
import { createTokenClient } from 'tokenloop';
import { startApi, type TestApi } from './support/api-server.js';
import { type LoopbackIssuer, startLoopbackIssuer } from './support/bearer-issuer.js';

const API = `api://${SAMPLE_IDS.apiApp}`;
const TENANT = '7d1c0b2a-4e5f-4a6b-8c9d-0e1f2a3b4c5d';
const ROLES = ['Data.Read.All'];
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('S48, S50: what passes as an access token, and as an app-only token', () => {
  let em: RunningEmulator;
  let issuer: LoopbackIssuer;
  let api: TestApi;
  let verifier: AccessTokenVerifier;
  /** Claims of real emulator tokens. */
  const real: Record<
    'idToken' | 'userV2' | 'userV1' | 'appV2' | 'appV1',
    Record<string, unknown>
  > = {} as never;
  /** A real token's claims under the loopback issuer (v1 or v2 issuer, as the token was). */
  const moved = (claims: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      ...claims,
      iss: claims.ver === '1.0' ? issuer.v1Issuer : issuer.v2Issuer,
      tid: TENANT,
      iat: now,
      nbf: now,
      exp: now + 600,
      ...extra,
    };
  };
  const get = (path: string, token: string) =>
    fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    em = await startEmulator({ autoLogin: 'alice', settings: { deviceCodeInterval: 1 } });
    em.addApp({
      name: 'V1 API',
      type: 'api',
      tenant: SAMPLE_IDS.contoso,
      appIdUri: 'api://kind-v1',
      accessTokenVersion: 1,
      scopes: [{ value: 'read', description: 'Read' }],
      appRoles: [{ value: 'Data.Read.All', description: 'Read all' }],
      adminConsented: true,
    });
    const v1Daemon = em.addApp({
      name: 'V1 daemon',
      type: 'daemon',
      tenant: SAMPLE_IDS.contoso,
      secret: 'kind-v1-daemon-secret',
      applicationPermissions: { 'api://kind-v1': ['Data.Read.All'] },
    });
    const v1Public = em.addApp({
      name: 'V1 caller',
      type: 'public',
      tenant: SAMPLE_IDS.contoso,
      redirectUris: ['http://127.0.0.1'],
      allowPublicClientFlows: true,
      delegatedPermissions: { 'api://kind-v1': ['read'] },
      adminConsented: true,
    });
    const authority = `${em.url}/${SAMPLE_IDS.contoso}`;
    const clients = [
      createTokenClient({ authority, clientId: SAMPLE_IDS.publicApp }),
      createTokenClient({ authority, clientId: v1Public.clientId }),
      createTokenClient({
        authority,
        clientId: SAMPLE_IDS.daemonApp,
        clientSecret: SAMPLE_SECRETS.daemonApp,
      }),
      createTokenClient({ authority, clientId: v1Daemon.clientId, clientSecret: 'kind-v1-daemon-secret' }),
    ] as const;
    const [user, userV1, daemon, daemonV1] = clients;
    // A device-code sign-in's ID token has no nonce and no at_hash, like one from a refresh grant.
    const login = await user.loginWithDeviceCode({ scopes: [`${API}/access_as_user`], onPrompt: () => {} });
    real.idToken = claimsOf(login.idToken!);
    real.userV2 = claimsOf(login.accessToken);
    real.userV1 = claimsOf(
      (await userV1.loginWithDeviceCode({ scopes: ['api://kind-v1/read'], onPrompt: () => {} })).accessToken,
    );
    real.appV2 = claimsOf((await daemon.acquireAppToken({ scopes: [`${API}/.default`] })).accessToken);
    real.appV1 = claimsOf(
      (await daemonV1.acquireAppToken({ scopes: ['api://kind-v1/.default'] })).accessToken,
    );
    await Promise.all(clients.map((c) => c.close()));

    issuer = await startLoopbackIssuer(TENANT);
    const audience = [SAMPLE_IDS.apiApp, API, 'api://kind-v1', SAMPLE_IDS.publicApp];
    // The API's audiences include the client id the ID tokens are for: the case where an ID token was accepted.
    api = await startApi({ authority: issuer.authority, audience });
    verifier = createAccessTokenVerifier({ authority: issuer.authority, audience });
  });
  after(async () => {
    await api?.close();
    await issuer?.close();
    await em?.close();
  });

  it("S48 the emulator's access tokens carry the markers and its ID tokens none of them", () => {
    assert.equal(real.userV2.ver, '2.0');
    assert.ok(real.userV2.azp && real.userV2.azpacr !== undefined, 'v2 user token: azp, azpacr');
    assert.ok(real.appV2.azp && real.appV2.azpacr !== undefined, 'v2 app token: azp, azpacr');
    assert.equal(real.appV1.ver, '1.0');
    assert.ok(real.userV1.appid && real.userV1.appidacr !== undefined, 'v1 user token: appid, appidacr');
    assert.ok(real.appV1.appid && real.appV1.appidacr !== undefined, 'v1 app token: appid, appidacr');
    assert.equal(real.appV2.idtyp, 'app');
    assert.equal(real.appV2.oid, real.appV2.sub);
    assert.notEqual(real.userV2.oid, real.userV2.sub, 'a user token: pairwise sub');
    for (const c of ['azp', 'azpacr', 'appid', 'appidacr', 'nonce', 'at_hash', 'idtyp'])
      assert.equal(real.idToken[c], undefined, `the ID token has no ${c}`);
  });

  it('S48 control: the same tokens re-signed by the loopback issuer pass (v1 and v2, user and app)', async () => {
    for (const name of ['userV2', 'userV1', 'appV2', 'appV1'] as const)
      assert.ok((await verifier.verify(await issuer.sign(moved(real[name])))).sub, name);
    assert.equal((await get('/admin', await issuer.sign(moved(real.appV2)))).status, 200);
    assert.equal((await get('/admin', await issuer.sign(moved(real.appV1)))).status, 200);
  });

  it('S48 an ID token carrying roles (no nonce, no at_hash) is not an access token: 401 on every route', async () => {
    const idTokens = {
      'v2 ID token with roles': moved(real.idToken, { roles: ROLES }),
      'v2 ID token with roles and scp': moved(real.idToken, { roles: ROLES, scp: 'access_as_user' }),
      'v1 ID token with roles': moved(real.idToken, { ver: '1.0', iss: issuer.v1Issuer, roles: ROLES }),
    };
    for (const [what, claims] of Object.entries(idTokens)) {
      const token = await issuer.sign(claims);
      await assert.rejects(verifier.verify(token), InvalidTokenError, what);
      for (const path of ['/admin', '/any', '/read']) {
        const res = await get(path, token);
        assert.equal(res.status, 401, `${what} on ${path}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      }
    }
  });

  it("S48 an access token must carry its own version's markers", async () => {
    const wrong = {
      'v2 without azp': moved(real.appV2, { azp: undefined }),
      'v2 without azpacr': moved(real.appV2, { azpacr: undefined }),
      'v2 with v1 markers instead': moved(real.appV2, {
        azp: undefined,
        azpacr: undefined,
        appid: real.appV2.azp,
        appidacr: '1',
      }),
      'v1 without appid': moved(real.appV1, { appid: undefined }),
      'v1 without appidacr': moved(real.appV1, { appidacr: undefined }),
      'v1 claims under the v2 issuer': moved(real.appV1, { iss: issuer.v2Issuer }),
      'an unknown client authentication level': moved(real.appV2, { azpacr: 'x' }),
      'v2 markers and a nonce': moved(real.appV2, { nonce: 'n' }),
    };
    for (const [what, claims] of Object.entries(wrong))
      await assert.rejects(verifier.verify(await issuer.sign(claims)), InvalidTokenError, what);
  });

  it('S50 a roles requirement passes app-only tokens only (idtyp app, or oid = sub without idtyp)', async () => {
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['app token (idtyp app)', moved(real.appV2), 200],
      ['app token without idtyp, oid = sub', moved(real.appV2, { idtyp: undefined }), 200],
      ['v1 app token', moved(real.appV1), 200],
      ['user token with roles, no scp', moved(real.userV2, { roles: ROLES, scp: undefined }), 403],
      [
        'user token with roles, idtyp user',
        moved(real.userV2, { roles: ROLES, scp: undefined, idtyp: 'user' }),
        403,
      ],
      ['app-shaped token with idtyp user', moved(real.appV2, { idtyp: 'user' }), 403],
      [
        'app token without idtyp, oid ≠ sub',
        moved(real.appV2, { idtyp: undefined, sub: 'someone-else' }),
        403,
      ],
    ];
    for (const [what, claims, status] of cases) {
      const res = await get('/admin', await issuer.sign(claims));
      assert.equal(res.status, status, what);
      if (status === 403) assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    }
  });

  describe('S48, S50 generic issuers: RFC 9068', () => {
    const AUDIENCE = 'https://api.example.test';
    let generic: AccessTokenVerifier;
    let untyped: AccessTokenVerifier;
    const at = (extra: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuer.oidcIssuer,
        aud: AUDIENCE,
        sub: 'user-1',
        client_id: 'client-1',
        scope: 'items.read',
        iat: now,
        exp: now + 600,
        jti: 'j1',
        ...extra,
      };
    };
    before(() => {
      generic = createAccessTokenVerifier({ issuer: issuer.oidcIssuer, audience: AUDIENCE });
      untyped = createAccessTokenVerifier({
        issuer: issuer.oidcIssuer,
        audience: AUDIENCE,
        allowUntypedAccessTokens: true,
      });
    });

    it('S48 by default only a token typed at+jwt passes; an ID token (typ JWT) with roles does not', async () => {
      for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT'])
        assert.ok((await generic.verify(await issuer.sign(at(), { typ }))).sub, typ);
      const idToken = { ...at({ roles: ROLES }), scope: undefined, client_id: undefined, auth_time: 1 };
      for (const typ of ['JWT', undefined]) {
        const header = typ ? { typ } : {};
        await assert.rejects(generic.verify(await issuer.sign(idToken, header)), /at\+jwt/);
        await assert.rejects(
          generic.verify(await issuer.sign(at(), header)),
          /at\+jwt/,
          'untyped access token',
        );
      }
    });

    it('S48 allowUntypedAccessTokens: untyped tokens pass on their claims; ID-token claims still fail', async () => {
      assert.ok((await untyped.verify(await issuer.sign(at(), { typ: 'JWT' }))).sub);
      const idLike = [
        { ...at(), nonce: 'n' },
        { ...at(), at_hash: 'h' },
        { ...at(), c_hash: 'h' },
        { ...at(), scope: undefined, client_id: undefined },
      ];
      for (const claims of idLike)
        await assert.rejects(untyped.verify(await issuer.sign(claims)), InvalidTokenError);
      assert.throws(
        () =>
          createAccessTokenVerifier({
            authority: issuer.authority,
            audience: AUDIENCE,
            allowUntypedAccessTokens: true,
          }),
        /generic issuers/,
      );
    });

    it('S50 generic: an app-only token is one whose sub is its client_id (RFC 9068 §2.2)', async () => {
      const { checkBearer } = await import('@tokenloop/web');
      const request = (token: string) => ({
        authorization: `Bearer ${token}`,
        tokenInQuery: false,
        tokenInBody: false,
      });
      const app = await issuer.sign(at({ sub: 'client-1', scope: undefined, roles: ROLES }), {
        typ: 'at+jwt',
      });
      const user = await issuer.sign(at({ scope: undefined, roles: ROLES }), { typ: 'at+jwt' });
      assert.equal((await checkBearer(generic, request(app), { roles: ROLES })).ok, true);
      const refused = await checkBearer(generic, request(user), { roles: ROLES });
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.status, 403);
    });
  });
});
