/**
 * The v1 endpoints ADAL-era clients, older SDKs and some Microsoft services still call, over plain HTTP
 * (requests written here from Microsoft's v1 protocol docs, independent of the emulator's code; sources in
 * docs/emulator-fidelity.md):
 * - `/{tenant}/.well-known/openid-configuration`: the v1 document (issuer `{origin}/{tid}/`, v1 endpoints);
 * - `/{tenant}/oauth2/authorize` with `resource`;
 * - `/{tenant}/oauth2/token` with `resource` for authorization_code, refresh_token (multi-resource),
 *   client_credentials, password and on-behalf-of, answering in the v1 shape: numbers as strings,
 *   `expires_on`, `not_before`, `resource`, `scope` as the token's permissions, and an unsigned v1 ID token.
 * The token's version follows the resource (its `accessTokenVersion`), whatever the endpoint, as on Entra.
 */
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { authorizeAuto, claimsOf, headerOf, pkce } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const ARM = 'https://management.core.windows.net/';
const SAMPLE_API = `api://${SAMPLE_IDS.apiApp}`;
const LEGACY_API = {
  clientId: '7d1e0c3a-4b5f-4e6a-9c8d-1a2b3c4d5e01',
  uri: 'https://legacy-api.contoso.example/',
  secret: 'legacy-api-secret-0001',
};
const REDIRECT = 'http://127.0.0.1:1/';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const V1_KEYS = [
  'token_type',
  'scope',
  'expires_in',
  'ext_expires_in',
  'expires_on',
  'not_before',
  'resource',
  'access_token',
  'refresh_token',
  'id_token',
];

type Body = Record<string, unknown>;

let e: RunningEmulator;
/** A public client as ADAL apps register them: static permissions, admin-consented. */
let legacyClient: string;
/** The same permissions, nobody consented: the user must consent at sign-in. */
let unconsentedClient: string;
let hybridClient: string;

before(
  async () => {
    e = await startEmulator({ autoLogin: 'alice' });
    e.addApp({
      clientId: LEGACY_API.clientId,
      name: 'Legacy v1 API',
      type: 'api',
      tenant: T,
      secret: LEGACY_API.secret,
      appIdUri: LEGACY_API.uri,
      accessTokenVersion: 1,
      scopes: [{ value: 'user_impersonation', description: 'Access the legacy API as you' }],
      delegatedPermissions: { [GRAPH]: ['User.Read'] },
      adminConsented: true,
    });
    const permissions = {
      [GRAPH]: ['User.Read'],
      [ARM]: ['user_impersonation'],
      [LEGACY_API.uri]: ['user_impersonation'],
    };
    legacyClient = e.addApp({
      name: 'Legacy ADAL-era client',
      type: 'public',
      tenant: T,
      redirectUris: ['http://127.0.0.1'],
      allowPublicClientFlows: true,
      delegatedPermissions: permissions,
      adminConsented: true,
    }).clientId;
    unconsentedClient = e.addApp({
      name: 'Legacy client without consent',
      type: 'public',
      tenant: T,
      redirectUris: ['http://127.0.0.1'],
      delegatedPermissions: permissions,
    }).clientId;
    hybridClient = e.addApp({
      name: 'OWIN-style web app',
      type: 'web',
      tenant: T,
      secret: 'owin-style-secret-0001',
      redirectUris: [REDIRECT],
      idTokenIssuance: true,
      delegatedPermissions: { [GRAPH]: ['User.Read'] },
      adminConsented: true,
    }).clientId;
  },
  { timeout: 60_000 },
);

after(async () => {
  await e?.close();
});

async function v1Token(
  params: Record<string, string>,
  tenant = T,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(`${e.url}/${tenant}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

function ok(r: { status: number; body: Body }, what: string): Body {
  assert.equal(r.status, 200, `${what}: ${String(r.body.error_description ?? '')}`);
  return r.body;
}

function aadsts(r: { status: number; body: Body }): number | undefined {
  return (r.body.error_codes as number[] | undefined)?.[0];
}

/** A v1 authorization request (`resource`, no `scope`), answered at once for alice. */
async function v1Authorize(params: Record<string, string>): Promise<URLSearchParams> {
  const url = new URL(`${e.url}/${T}/oauth2/authorize`);
  url.search = new URLSearchParams(params).toString();
  const { status, params: answer, location } = await authorizeAuto(url);
  assert.equal(status, 302, `authorize redirects (${location ?? 'no location'})`);
  return answer;
}

async function codeFor(clientId: string, resource?: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const answer = await v1Authorize({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    ...(resource !== undefined ? { resource } : {}),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const code = answer.get('code');
  assert.ok(code, `a code (${answer.get('error_description') ?? ''})`);
  return { code, verifier };
}

async function redeem(clientId: string, c: { code: string; verifier: string }, resource?: string) {
  return v1Token({
    grant_type: 'authorization_code',
    client_id: clientId,
    code: c.code,
    redirect_uri: REDIRECT,
    code_verifier: c.verifier,
    ...(resource !== undefined ? { resource } : {}),
  });
}

/**
 * The v1 answer, as the docs show it: the known fields in their order, the numbers as decimal strings,
 * `expires_on`/`not_before` the token's `exp`/`nbf`, and the refresh and ID tokens of a user's grant only.
 */
function assertV1Answer(body: Body, kind: 'user' | 'app', resource: string): Record<string, unknown> {
  const keys = Object.keys(body);
  assert.deepEqual(
    keys,
    V1_KEYS.filter((k) => keys.includes(k)),
    'only the v1 fields, in the documented order',
  );
  assert.equal(body.token_type, 'Bearer');
  for (const k of ['expires_in', 'ext_expires_in', 'expires_on', 'not_before']) {
    assert.equal(typeof body[k], 'string', `${k} is a string`);
    assert.match(String(body[k]), /^\d+$/, `${k} is a number written out`);
  }
  const claims = claimsOf(body.access_token);
  assert.equal(body.expires_on, String(claims.exp));
  assert.equal(body.not_before, String(claims.nbf));
  assert.equal(Number(body.expires_on) - Number(body.not_before), Number(body.expires_in));
  assert.equal(body.resource, resource);
  if (kind === 'app') {
    for (const k of ['scope', 'refresh_token', 'id_token']) assert.equal(body[k], undefined, `no ${k}`);
  } else {
    assert.equal(body.scope, claims.scp, 'scope: the permissions the token carries');
    assert.equal(typeof body.refresh_token, 'string');
  }
  return claims;
}

/** The unsigned v1 ID token of the token endpoint (`alg: none`, empty signature), for `clientId` and alice. */
function assertUnsignedV1IdToken(idToken: unknown, clientId: string): Record<string, unknown> {
  assert.equal(typeof idToken, 'string');
  assert.deepEqual(headerOf(idToken), { typ: 'JWT', alg: 'none' });
  assert.equal(String(idToken).split('.')[2], '', 'no signature');
  const c = claimsOf(idToken);
  assert.equal(c.aud, clientId);
  assert.equal(c.iss, `${e.url}/${T}/`);
  assert.equal(c.ver, '1.0');
  assert.equal(c.tid, T);
  assert.equal(c.oid, SAMPLE_IDS.alice);
  assert.equal(c.upn, ALICE.username);
  assert.equal(c.unique_name, ALICE.username);
  assert.equal(c.name, 'Alice Adams');
  assert.equal(typeof c.sub, 'string');
  for (const k of ['iat', 'nbf', 'exp']) assert.equal(typeof c[k], 'number');
  return c;
}

describe('v1 discovery', { timeout: 60_000 }, () => {
  it('the v1 document names the v1 issuer ({origin}/{tid}/, {tenantid} on common) and v1 endpoints', async () => {
    for (const [segment, issuerTenant] of [
      [T, T],
      ['contoso.onmicrosoft.com', T],
      ['common', '{tenantid}'],
      ['organizations', '{tenantid}'],
    ] as const) {
      const res = await fetch(`${e.url}/${segment}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const doc = (await res.json()) as Record<string, unknown>;
      const base = `${e.url}/${segment}`;
      assert.equal(doc.issuer, `${e.url}/${issuerTenant}/`, segment);
      assert.equal(doc.token_endpoint, `${base}/oauth2/token`);
      assert.equal(doc.authorization_endpoint, `${base}/oauth2/authorize`);
      assert.equal(doc.end_session_endpoint, `${base}/oauth2/logout`);
      assert.equal(doc.jwks_uri, `${base}/discovery/keys`);
      assert.equal(doc.microsoft_multi_refresh_token, true);
      assert.deepEqual(doc.scopes_supported, ['openid']);
    }
  });

  it('every endpoint the v1 document names is served', async () => {
    const doc = (await (await fetch(`${e.url}/${T}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const urls = Object.entries(doc).filter(
      ([k, v]) => typeof v === 'string' && v.startsWith(e.url) && k !== 'issuer',
    );
    assert.ok(urls.length >= 5, 'the document names its endpoints');
    for (const [name, url] of urls) {
      const res = await fetch(String(url), { redirect: 'manual' });
      await res.arrayBuffer();
      assert.notEqual(res.status, 404, `${name} (${String(url)}) is served`);
      assert.ok(res.status < 500, `${name}: ${res.status}`);
    }
  });
});

describe('v1 token endpoint', { timeout: 60_000 }, () => {
  it('client_credentials: resource → an app-only token for it (aud as asked), v1 answer without scope', async () => {
    const cases = [
      // resource as asked → the token's aud and version
      { resource: GRAPH, aud: GRAPH, ver: '1.0', roles: ['User.Read.All'] },
      { resource: `${GRAPH}/`, aud: GRAPH, ver: '1.0', roles: ['User.Read.All'] },
      { resource: GRAPH_APP_ID, aud: GRAPH_APP_ID, ver: '1.0', roles: ['User.Read.All'] },
      { resource: ARM, aud: ARM, ver: '1.0', roles: undefined },
      // A resource that asks for v2 tokens gets v2 tokens from the v1 endpoint too.
      { resource: SAMPLE_API, aud: SAMPLE_IDS.apiApp, ver: '2.0', roles: ['Data.Read.All'] },
    ];
    for (const c of cases) {
      const body = ok(
        await v1Token({
          grant_type: 'client_credentials',
          client_id: SAMPLE_IDS.daemonApp,
          client_secret: SAMPLE_SECRETS.daemonApp,
          resource: c.resource,
        }),
        c.resource,
      );
      const claims = assertV1Answer(body, 'app', c.resource);
      assert.equal(claims.aud, c.aud, `${c.resource}: aud`);
      assert.equal(claims.ver, c.ver, `${c.resource}: ver`);
      assert.deepEqual(claims.roles, c.roles, `${c.resource}: roles`);
      assert.equal(claims.tid, T);
      assert.equal(claims.idtyp, 'app');
      if (c.ver === '1.0') {
        assert.equal(claims.iss, `${e.url}/${T}/`);
        assert.equal(claims.appid, SAMPLE_IDS.daemonApp);
        assert.equal(claims.appidacr, '1');
      } else {
        assert.equal(claims.iss, `${e.url}/${T}/v2.0`);
        assert.equal(claims.azp, SAMPLE_IDS.daemonApp);
      }
    }
  });

  it('password: a user token with upn, unique_name, scp and appid, a refresh token and an unsigned v1 ID token', async () => {
    const body = ok(
      await v1Token({ grant_type: 'password', client_id: legacyClient, resource: GRAPH, ...ALICE }),
      'password',
    );
    const claims = assertV1Answer(body, 'user', GRAPH);
    assert.equal(claims.ver, '1.0');
    assert.equal(claims.iss, `${e.url}/${T}/`);
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.upn, ALICE.username);
    assert.equal(claims.unique_name, ALICE.username);
    assert.equal(claims.scp, 'User.Read');
    assert.equal(claims.appid, legacyClient);
    assert.equal(claims.appidacr, '0');
    assert.equal(body.scope, 'User.Read');
    assertUnsignedV1IdToken(body.id_token, legacyClient);
  });

  it('authorization code: /oauth2/authorize with resource, redeemed at /oauth2/token for that resource', async () => {
    const body = ok(
      await redeem(legacyClient, await codeFor(legacyClient, LEGACY_API.uri), LEGACY_API.uri),
      'code',
    );
    const claims = assertV1Answer(body, 'user', LEGACY_API.uri);
    assert.equal(claims.aud, LEGACY_API.uri, 'aud: the App ID URI as asked, trailing slash kept');
    assert.equal(claims.scp, 'user_impersonation');
    assert.equal(body.scope, 'user_impersonation');
    assertUnsignedV1IdToken(body.id_token, legacyClient);
    // ADAL does not repeat the resource when redeeming: the code's resource answers.
    const again = ok(await redeem(legacyClient, await codeFor(legacyClient, ARM)), 'code without resource');
    assert.equal(assertV1Answer(again, 'user', ARM).aud, ARM);
  });

  it('authorization code without resource at authorize: the token request names it (the usual ADAL web app)', async () => {
    const body = ok(await redeem(legacyClient, await codeFor(legacyClient), GRAPH), 'code');
    const claims = assertV1Answer(body, 'user', GRAPH);
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.scp, 'User.Read');
    assertUnsignedV1IdToken(body.id_token, legacyClient);
  });

  it('refresh_token: the refresh token is multi-resource; without resource it answers for the one it was issued for', async () => {
    const first = ok(
      await v1Token({ grant_type: 'password', client_id: legacyClient, resource: GRAPH, ...ALICE }),
      'password',
    );
    const other = ok(
      await v1Token({
        grant_type: 'refresh_token',
        client_id: legacyClient,
        refresh_token: String(first.refresh_token),
        resource: LEGACY_API.uri,
      }),
      'refresh for another resource',
    );
    assert.equal(assertV1Answer(other, 'user', LEGACY_API.uri).aud, LEGACY_API.uri);
    assert.equal(other.scope, 'user_impersonation');
    assertUnsignedV1IdToken(other.id_token, legacyClient);
    const same = ok(
      await v1Token({
        grant_type: 'refresh_token',
        client_id: legacyClient,
        refresh_token: String(first.refresh_token),
      }),
      'refresh without resource',
    );
    assert.equal(assertV1Answer(same, 'user', GRAPH).aud, GRAPH);
    assertUnsignedV1IdToken(same.id_token, legacyClient);
  });

  it('on-behalf-of: the middle-tier API trades the user’s v1 token for a Graph token (requested_token_use, resource, scope=openid)', async () => {
    const user = ok(
      await v1Token({ grant_type: 'password', client_id: legacyClient, resource: LEGACY_API.uri, ...ALICE }),
      'token for the API',
    );
    const body = ok(
      await v1Token({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        client_id: LEGACY_API.clientId,
        client_secret: LEGACY_API.secret,
        assertion: String(user.access_token),
        requested_token_use: 'on_behalf_of',
        resource: GRAPH,
        scope: 'openid',
      }),
      'on-behalf-of',
    );
    const claims = assertV1Answer(body, 'user', GRAPH);
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.appid, LEGACY_API.clientId);
    assert.equal(claims.appidacr, '1');
    assert.equal(claims.upn, ALICE.username);
    assert.equal(body.scope, 'User.Read');
    assertUnsignedV1IdToken(body.id_token, LEGACY_API.clientId);
  });

  it('S123 a code whose authorization named no resource gets a token only for what the user consented to; a named one is not swapped', async () => {
    // Sign-in without resource: nothing beyond the sign-in itself was consented to.
    const refused = await redeem(unconsentedClient, await codeFor(unconsentedClient), ARM);
    assert.equal(refused.status, 400);
    assert.equal(aadsts(refused), 65001, String(refused.body.error_description));
    // Consent is given for the resource named at sign-in; naming another one when redeeming does not swap it.
    const named = ok(
      await redeem(unconsentedClient, await codeFor(unconsentedClient, GRAPH), ARM),
      'code for Graph, token request naming ARM',
    );
    assert.equal(claimsOf(named.access_token).aud, GRAPH);
    assert.equal(named.resource, GRAPH);
  });

  it('S124 no token without a resource the emulator knows: missing → AADSTS500013, unknown or malformed → AADSTS500011', async () => {
    const grants: Record<string, Record<string, string>> = {
      client_credentials: {
        grant_type: 'client_credentials',
        client_id: SAMPLE_IDS.daemonApp,
        client_secret: SAMPLE_SECRETS.daemonApp,
      },
      password: { grant_type: 'password', client_id: legacyClient, ...ALICE },
    };
    for (const [grant, params] of Object.entries(grants)) {
      const missing = await v1Token(params);
      assert.equal(missing.status, 400, grant);
      assert.equal(missing.body.error, 'invalid_resource', grant);
      assert.equal(aadsts(missing), 500013, `${grant}: ${String(missing.body.error_description)}`);
      for (const resource of [
        'https://unknown.example/',
        `${GRAPH}/.default`,
        `${GRAPH} ${ARM}`,
        `${GRAPH}/User.Read`,
      ]) {
        const bad = await v1Token({ ...params, resource });
        assert.equal(bad.status, 400, `${grant} ${resource}`);
        assert.equal(aadsts(bad), 500011, `${grant} ${resource}: ${String(bad.body.error_description)}`);
      }
    }
    const neither = await redeem(legacyClient, await codeFor(legacyClient));
    assert.equal(aadsts(neither), 500013, String(neither.body.error_description));
    const obo = await v1Token({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: LEGACY_API.clientId,
      client_secret: LEGACY_API.secret,
      assertion: 'x.y.z',
      requested_token_use: 'on_behalf_of',
    });
    assert.equal(aadsts(obo), 500013, String(obo.body.error_description));
  });

  it('S124 sweep: every grant the token endpoint accepts has its v1 translation (resource) and a test here', async () => {
    const source = (name: string) =>
      readFile(join(import.meta.dirname, '..', 'src', 'endpoints', name), 'utf8');
    const cases = (text: string) => [...text.matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
    const accepted = cases(await source('token.ts'));
    assert.ok(accepted.length >= 6, `found the grant switch (${accepted.join(', ')})`);
    const translated = new Set(cases(await source('v1-token.ts')));
    const tested = await readFile(import.meta.filename, 'utf8');
    // The device code grant needs the v1 device code endpoint, which the emulator does not serve: its codes
    // come from the v2 one, whose scopes name the resource.
    const withoutV1 = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);
    for (const grant of accepted.filter((g) => !withoutV1.has(g))) {
      assert.ok(translated.has(grant), `${grant}: v1-token.ts says what its resource stands for`);
      assert.ok(tested.includes(`grant_type: '${grant}'`), `${grant}: tested here`);
    }
  });

  it('S122 the unsigned v1 ID token is no credential: Graph, on-behalf-of and introspection refuse it', async () => {
    const body = ok(
      await v1Token({ grant_type: 'password', client_id: legacyClient, resource: GRAPH, ...ALICE }),
      'password',
    );
    const unsigned = String(body.id_token);
    assert.equal(headerOf(unsigned).alg, 'none');
    // The same claims re-labelled as an access token (scp, Graph audience) are refused all the same.
    const forged = `${Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claimsOf(unsigned), aud: GRAPH, scp: 'User.Read User.Read.All' }),
    ).toString('base64url')}.`;
    for (const token of [unsigned, forged]) {
      const me = await fetch(`${e.url}/v1.0/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 401, '/v1.0/me');
      await me.arrayBuffer();
      const users = await fetch(`${e.url}/v1.0/users`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(users.status, 401, '/v1.0/users');
      await users.arrayBuffer();
      const obo = await v1Token({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        client_id: LEGACY_API.clientId,
        client_secret: LEGACY_API.secret,
        assertion: token,
        requested_token_use: 'on_behalf_of',
        resource: GRAPH,
      });
      assert.equal(obo.status, 400, 'on-behalf-of');
      assert.equal(aadsts(obo), 50013);
      const introspection = await fetch(`${e.url}/${T}/oauth2/v2.0/introspect`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: LEGACY_API.clientId,
          client_secret: LEGACY_API.secret,
          token,
        }),
      });
      assert.deepEqual(await introspection.json(), { active: false });
    }
  });
});

describe('user realm discovery', { timeout: 60_000 }, () => {
  it('/common/userrealm/{user}: a directory domain is Managed, any other Unknown (ADAL and MSAL Python ask first)', async () => {
    for (const path of ['userrealm', 'UserRealm']) {
      const res = await fetch(
        `${e.url}/common/${path}/${encodeURIComponent(ALICE.username)}?api-version=1.0`,
      );
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        ver: '1.0',
        account_type: 'Managed',
        domain_name: 'contoso.onmicrosoft.com',
        cloud_instance_name: 'microsoftonline.com',
        cloud_audience_urn: 'urn:federation:MicrosoftOnline',
      });
    }
    const other = await fetch(`${e.url}/common/userrealm/someone%40example.org?api-version=1.0`);
    assert.deepEqual(await other.json(), {
      ver: '1.0',
      account_type: 'Unknown',
      cloud_instance_name: 'microsoftonline.com',
    });
  });
});

describe('v1 authorize', { timeout: 60_000 }, () => {
  it('code id_token: a signed v1 ID token (issuer {origin}/{tid}/, nonce, c_hash) that the v1 keys verify', async () => {
    const answer = await v1Authorize({
      client_id: hybridClient,
      response_type: 'code id_token',
      redirect_uri: REDIRECT,
      resource: GRAPH,
      nonce: 'n-0S6_WzA2Mj',
      state: 'st',
      response_mode: 'fragment',
    });
    assert.equal(answer.get('state'), 'st');
    const idToken = answer.get('id_token');
    assert.ok(idToken, `an id_token (${answer.get('error_description') ?? ''})`);
    assert.ok(answer.get('code'));
    const doc = (await (await fetch(`${e.url}/${T}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
      issuer: string;
    };
    const { payload, protectedHeader } = await jwtVerify(idToken, createRemoteJWKSet(new URL(doc.jwks_uri)), {
      issuer: doc.issuer,
      audience: hybridClient,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.ver, '1.0');
    assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
    assert.equal(payload.upn, ALICE.username);
    assert.equal(payload.unique_name, ALICE.username);
    assert.equal(typeof payload.c_hash, 'string');
    // The code redeems at the v1 token endpoint for the resource named at authorize.
    const body = ok(
      await v1Token({
        grant_type: 'authorization_code',
        client_id: hybridClient,
        client_secret: 'owin-style-secret-0001',
        code: answer.get('code')!,
        redirect_uri: REDIRECT,
        resource: GRAPH,
      }),
      'hybrid code',
    );
    assert.equal(assertV1Answer(body, 'user', GRAPH).aud, GRAPH);
  });

  it('an unknown client, or a redirect URI not registered, is shown an error page (never redirected)', async () => {
    for (const params of [
      { client_id: 'b1a7c0de-0000-4000-8000-000000000000', redirect_uri: REDIRECT },
      { client_id: legacyClient, redirect_uri: 'https://evil.example/cb' },
    ]) {
      const url = new URL(`${e.url}/${T}/oauth2/authorize`);
      url.search = new URLSearchParams({ ...params, response_type: 'code', resource: GRAPH }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      await res.arrayBuffer();
    }
  });
});
