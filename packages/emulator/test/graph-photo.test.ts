/**
 * Graph's profile photo of the signed-in user (`/v1.0/me/photo`, `/v1.0/me/photo/$value`,
 * `/v1.0/me/photos/{size}/$value`), which Auth.js's Microsoft Entra ID provider fetches at every sign-in: the
 * directory's users have no photo, so Graph's answer is 404 `ImageNotFound` (profilephoto-get: "If no photo
 * exists, the operation returns 404 Not Found"); `/me` needs a delegated token, as for the profile.
 * S145: every Graph path the emulator serves refuses a request without a valid token, 401 with Graph's
 * challenge; the sweep takes the paths from the route table, so a new Graph route needs a row here.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import { ROUTES } from '../src/routes.ts';
import { getManual, tokenRequest } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const PHOTO_PATHS = ['/v1.0/me/photo', '/v1.0/me/photo/$value', '/v1.0/me/photos/48x48/$value'];
/** One concrete path for each Graph route of the route table. */
const GRAPH_PATHS = [
  '/v1.0/me',
  ...PHOTO_PATHS,
  '/v1.0/users',
  `/v1.0/users/${SAMPLE_IDS.alice}`,
  '/oidc/userinfo',
];

let e: RunningEmulator;

before(async () => {
  e = await startEmulator({});
});

after(() => e?.close());

interface GraphAnswer {
  status: number;
  code: string | undefined;
  challenge: string | null;
}

async function graphGet(path: string, token?: string): Promise<GraphAnswer> {
  const res = await getManual(`${e.url}${path}`, token ? { Authorization: `Bearer ${token}` } : {});
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code, challenge: res.headers.get('www-authenticate') };
}

async function delegatedToken(): Promise<string> {
  const clientId = e.addApp({
    name: 'Photo reader',
    type: 'public',
    tenant: T,
    redirectUris: ['http://127.0.0.1'],
    allowPublicClientFlows: true,
    delegatedPermissions: { [GRAPH]: ['User.Read'] },
    adminConsented: true,
  }).clientId;
  const r = await tokenRequest(e.url, T, {
    grant_type: 'password',
    client_id: clientId,
    scope: `${GRAPH}/User.Read`,
    ...ALICE,
  });
  assert.equal(r.status, 200, String(r.body.error_description));
  return String(r.body.access_token);
}

async function appOnlyToken(): Promise<string> {
  const secret = 'graph-photo-daemon-secret';
  const clientId = e.addApp({
    name: 'Photo daemon',
    type: 'daemon',
    tenant: T,
    secret,
    applicationPermissions: { [GRAPH]: ['User.Read.All'] },
    adminConsented: true,
  }).clientId;
  const r = await tokenRequest(e.url, T, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: `${GRAPH}/.default`,
  });
  assert.equal(r.status, 200, String(r.body.error_description));
  return String(r.body.access_token);
}

describe('Graph profile photo', () => {
  it('Graph photo: for a user without a photo /me/photo, /me/photo/$value and /me/photos/48x48/$value answer 404 ImageNotFound to a delegated token; an app-only token gets 400 as for /me', async () => {
    const user = await delegatedToken();
    const app = await appOnlyToken();
    for (const path of PHOTO_PATHS) {
      const r = await graphGet(path, user);
      assert.equal(r.status, 404, path);
      assert.equal(r.code, 'ImageNotFound', path);
      const a = await graphGet(path, app);
      assert.equal(a.status, 400, path);
      assert.equal(a.code, 'BadRequest', path);
    }
  });

  it('S145 every Graph path the emulator serves and userinfo (swept from the route table) refuses a request without a token and one with a forged token: 401 InvalidAuthenticationToken with Graph’s challenge', async () => {
    // Graph's paths and userinfo (answered for a Graph token).
    const graphRoutes = ROUTES.filter((r) => /^\^\\?\/(?:v1\\\.0|oidc)\\?\//.test(r.pattern.source));
    assert.ok(graphRoutes.length >= 4, `the Graph routes were found: ${graphRoutes.length}`);
    for (const route of graphRoutes) {
      assert.ok(
        GRAPH_PATHS.some((p) => route.pattern.test(p)),
        `a Graph route without a row in GRAPH_PATHS: ${route.pattern.source}`,
      );
    }
    const forged = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ aud: GRAPH, oid: SAMPLE_IDS.alice, scp: 'User.Read', tid: T })).toString(
        'base64url',
      ),
      '',
    ].join('.');
    for (const path of GRAPH_PATHS) {
      for (const token of [undefined, forged]) {
        const r = await graphGet(path, token);
        assert.equal(r.status, 401, `${path} ${token ? 'forged' : 'no'} token`);
        assert.equal(r.code, 'InvalidAuthenticationToken', path);
        assert.match(String(r.challenge), /^Bearer /, path);
      }
    }
  });
});
