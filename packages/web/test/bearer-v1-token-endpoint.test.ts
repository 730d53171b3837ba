// tokenloop's bearer check against tokens from the emulator's v1 token endpoint (`/{tenant}/oauth2/token` with
// `resource`), as an API protected with @tokenloop/web receives them from ADAL-era clients and daemons: a v1
// access token (issuer `{origin}/{tid}/`, as `https://sts.windows.net/{tid}/` on Entra; `aud` the resource as
// the client asked for it) passes the API's own tenant only, and the endpoint's unsigned ID token never passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { createAccessTokenVerifier, InvalidTokenError } from '@tokenloop/web';

const OWN = SAMPLE_IDS.contoso;
const OTHER = SAMPLE_IDS.fabrikam;
const API = { clientId: '5b3f1e20-7c4d-4a8e-9f10-2d3c4b5a6e01', uri: 'https://legacy-api.contoso.example/' };
const DAEMON_SECRET = 'v1-bearer-daemon-secret';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };

let em: RunningEmulator;
let daemon: string;
let client: string;

before(
  async () => {
    em = await startEmulator();
    em.addApp({
      clientId: API.clientId,
      name: 'Legacy v1 API',
      type: 'api',
      tenant: OWN,
      appIdUri: API.uri,
      accessTokenVersion: 1,
      scopes: [{ value: 'user_impersonation', description: 'Access the legacy API as you' }],
      appRoles: [{ value: 'Data.Read.All', description: 'Read all data' }],
    });
    daemon = em.addApp({
      name: 'v1 daemon',
      type: 'daemon',
      tenant: OWN,
      secret: DAEMON_SECRET,
      applicationPermissions: { [API.uri]: ['Data.Read.All'] },
    }).clientId;
    client = em.addApp({
      name: 'v1 public client',
      type: 'public',
      tenant: OWN,
      redirectUris: ['http://127.0.0.1'],
      allowPublicClientFlows: true,
      delegatedPermissions: { [API.uri]: ['user_impersonation'] },
      adminConsented: true,
    }).clientId;
  },
  { timeout: 60_000 },
);

after(async () => {
  await em?.close();
});

async function v1Token(params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${em.url}/${OWN}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, String(body.error_description));
  return body;
}

const appOnly = (resource: string) =>
  v1Token({ grant_type: 'client_credentials', client_id: daemon, client_secret: DAEMON_SECRET, resource });
const user = (resource: string) => v1Token({ grant_type: 'password', client_id: client, resource, ...ALICE });

describe('bearer check of tokens from the v1 token endpoint', { timeout: 60_000 }, () => {
  it('S60 a v1 token from /{tenant}/oauth2/token passes its own tenant’s verifier (tenant id or domain), resource as App ID URI or app id', async () => {
    const tokens = {
      'app-only, App ID URI': await appOnly(API.uri),
      'app-only, app id': await appOnly(API.clientId),
      'user, App ID URI': await user(API.uri),
    };
    for (const segment of [OWN, 'contoso.onmicrosoft.com']) {
      const verifier = createAccessTokenVerifier({
        authority: `${em.url}/${segment}`,
        audience: [API.uri, API.clientId],
      });
      for (const [what, body] of Object.entries(tokens)) {
        const claims = await verifier.verify(String(body.access_token));
        assert.equal(claims.ver, '1.0', what);
        assert.equal(claims.iss, `${em.url}/${OWN}/`, what);
        assert.equal(claims.tid, OWN, what);
        assert.equal(claims.aud, body.resource, `${what}: aud is the resource as asked`);
      }
    }
  });

  it('S60 the same v1 tokens are refused by another tenant’s verifier and by an allow-list without their tenant', async () => {
    const tokens = [await appOnly(API.uri), await user(API.uri)];
    const verifiers = [
      createAccessTokenVerifier({ authority: `${em.url}/${OTHER}`, audience: [API.uri, API.clientId] }),
      createAccessTokenVerifier({
        authority: `${em.url}/organizations`,
        audience: [API.uri, API.clientId],
        allowedTenants: [OTHER],
      }),
    ];
    for (const verifier of verifiers)
      for (const body of tokens)
        await assert.rejects(verifier.verify(String(body.access_token)), InvalidTokenError);
  });

  it('S122 the v1 token endpoint’s unsigned ID token (alg none) is never accepted', async () => {
    const body = await user(API.uri);
    const idToken = String(body.id_token);
    const header = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()) as { alg: string };
    assert.equal(header.alg, 'none');
    const verifier = createAccessTokenVerifier({
      authority: `${em.url}/${OWN}`,
      audience: [API.uri, API.clientId, client],
    });
    await assert.rejects(verifier.verify(idToken), InvalidTokenError);
  });
});
