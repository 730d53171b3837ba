/**
 * Graph's `/v1.0/users/{id | userPrincipalName}` and `/v1.0/users`, as the client-credentials quick-starts and
 * directory-reading apps call them, with app-only and delegated tokens from both token endpoints (requests
 * written here from Graph's user-get and user-list pages; sources in docs/emulator-fidelity.md):
 * - S120: app-only tokens need an application role (User.Read.All, …); delegated tokens User.ReadBasic.All
 *   (basic profile of others) or User.Read.All (full); User.Read reads the signed-in user only; otherwise 403
 *   `Authorization_RequestDenied`;
 * - S121: a token sees its own tenant's users only; others are 404 `Request_ResourceNotFound`, as unknown ones.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { tokenRequest } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const F = SAMPLE_IDS.fabrikam;
const GRAPH = 'https://graph.microsoft.com';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const BOB = 'bob@contoso.onmicrosoft.com';
const CAROL = 'carol@fabrikam.onmicrosoft.com';
const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const BASIC_PROPERTIES = ['displayName', 'givenName', 'mail', 'surname', 'userPrincipalName', 'id'];

type Body = Record<string, unknown>;

let e: RunningEmulator;
const tokens: Record<string, string> = {};

/** A delegated Graph token for alice from a public client configured (and admin-consented) with `scopes`. */
async function delegated(scopes: string[]): Promise<string> {
  const clientId = e.addApp({
    name: `Reader with ${scopes.join(', ')}`,
    type: 'public',
    tenant: T,
    redirectUris: ['http://127.0.0.1'],
    allowPublicClientFlows: true,
    delegatedPermissions: { [GRAPH]: scopes },
    adminConsented: true,
  }).clientId;
  const r = await tokenRequest(e.url, T, {
    grant_type: 'password',
    client_id: clientId,
    scope: `${GRAPH}/.default`,
    ...ALICE,
  });
  assert.equal(r.status, 200, String(r.body.error_description));
  return String(r.body.access_token);
}

/** An app-only Graph token of a daemon in `tenant` granted `roles`, from the v1 or v2 token endpoint. */
async function appOnly(tenant: string, roles: string[], endpoint: 'v1' | 'v2'): Promise<string> {
  const secret = 'graph-users-daemon-secret';
  const clientId = e.addApp({
    name: `Daemon in ${tenant} (${endpoint}) with ${roles.join(', ') || 'no role'}`,
    type: 'daemon',
    tenant,
    secret,
    applicationPermissions: { [GRAPH]: roles },
  }).clientId;
  const res = await fetch(`${e.url}/${tenant}/oauth2/${endpoint === 'v1' ? '' : 'v2.0/'}token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      ...(endpoint === 'v1' ? { resource: GRAPH } : { scope: `${GRAPH}/.default` }),
    }),
  });
  const body = (await res.json()) as Body;
  assert.equal(res.status, 200, String(body.error_description));
  return String(body.access_token);
}

async function graph(path: string, token: string | undefined): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${e.url}${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Body };
}

function names(body: Body): string[] {
  return (body.value as Body[]).map((u) => String(u.userPrincipalName));
}

function assertGraphError(r: { status: number; body: Body }, status: number, code: string, what: string) {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
  const error = r.body.error as Body;
  assert.equal(error.code, code, what);
  assert.equal(typeof error.message, 'string');
  const inner = error.innerError as Body;
  for (const k of ['date', 'request-id', 'client-request-id']) assert.equal(typeof inner[k], 'string', k);
}

before(
  async () => {
    e = await startEmulator();
    e.addUser({
      username: "o'brien@contoso.onmicrosoft.com",
      password: 'obrien-password-1',
      displayName: "Pat O'Brien",
    });
    const [appV1, appV2, noRole, fabrikam, full, basic, self] = await Promise.all([
      appOnly(T, ['User.Read.All'], 'v1'),
      appOnly(T, ['User.Read.All'], 'v2'),
      appOnly(T, ['Mail.Read'], 'v2'),
      appOnly(F, ['User.Read.All'], 'v2'),
      delegated(['User.Read.All']),
      delegated(['User.ReadBasic.All']),
      delegated(['User.Read']),
    ]);
    Object.assign(tokens, { appV1, appV2, noRole, fabrikam, full, basic, self });
    // The sample daemon holds User.Read.All as the quick-starts configure it.
    const r = await tokenRequest(e.url, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: `${GRAPH}/.default`,
    });
    tokens.sampleDaemon = String(r.body.access_token);
  },
  { timeout: 60_000 },
);

after(async () => {
  await e?.close();
});

describe('Graph users', { timeout: 60_000 }, () => {
  it('S120 app-only tokens with User.Read.All (v1 or v2 endpoint) read any user of their tenant, by id or userPrincipalName', async () => {
    for (const which of ['appV1', 'appV2', 'sampleDaemon']) {
      for (const key of [SAMPLE_IDS.bob, BOB, BOB.toUpperCase()]) {
        const r = await graph(`/v1.0/users/${encodeURIComponent(key)}`, tokens[which]);
        assert.equal(r.status, 200, `${which} ${key}: ${JSON.stringify(r.body).slice(0, 200)}`);
        assert.deepEqual(Object.keys(r.body), ['@odata.context', ...DEFAULT_PROPERTIES]);
        assert.equal(r.body.id, SAMPLE_IDS.bob);
        assert.equal(r.body.userPrincipalName, BOB);
        assert.equal(r.body.jobTitle, 'Developer');
      }
      const list = await graph('/v1.0/users', tokens[which]);
      assert.equal(list.status, 200);
      assert.equal(list.body['@odata.context'], `${e.url}/v1.0/$metadata#users`);
      assert.ok(names(list.body).includes(BOB), which);
    }
  });

  it('S120 without a users permission: 403 Authorization_RequestDenied (app-only without the role; delegated User.Read for others)', async () => {
    for (const path of [`/v1.0/users/${SAMPLE_IDS.bob}`, `/v1.0/users/${BOB}`, '/v1.0/users']) {
      assertGraphError(await graph(path, tokens.noRole), 403, 'Authorization_RequestDenied', `app ${path}`);
      assertGraphError(
        await graph(path, tokens.self),
        403,
        'Authorization_RequestDenied',
        `User.Read ${path}`,
      );
    }
    const r = await graph('/v1.0/users', tokens.noRole);
    assert.equal((r.body.error as Body).message, 'Insufficient privileges to complete the operation.');
  });

  it('S120 delegated: User.Read reads the signed-in user; User.ReadBasic.All the basic profile of others; User.Read.All the full one', async () => {
    const me = await graph(`/v1.0/users/${SAMPLE_IDS.alice}`, tokens.self);
    assert.equal(me.status, 200);
    assert.deepEqual(Object.keys(me.body), ['@odata.context', ...DEFAULT_PROPERTIES]);
    const basicBob = await graph(`/v1.0/users/${BOB}`, tokens.basic);
    assert.equal(basicBob.status, 200);
    assert.deepEqual(Object.keys(basicBob.body), ['@odata.context', ...BASIC_PROPERTIES]);
    assert.equal(basicBob.body.jobTitle, undefined, 'no job title in the basic profile');
    const basicMe = await graph(`/v1.0/users/${ALICE.username}`, tokens.basic);
    assert.deepEqual(
      Object.keys(basicMe.body),
      ['@odata.context', ...DEFAULT_PROPERTIES],
      'own full profile',
    );
    const basicList = await graph('/v1.0/users', tokens.basic);
    assert.equal(basicList.status, 200);
    for (const u of basicList.body.value as Body[]) {
      const expected = u.id === SAMPLE_IDS.alice ? DEFAULT_PROPERTIES : BASIC_PROPERTIES;
      assert.deepEqual(Object.keys(u), expected, String(u.userPrincipalName));
    }
    const fullBob = await graph(`/v1.0/users/${BOB}`, tokens.full);
    assert.equal(fullBob.body.jobTitle, 'Developer');
  });

  it('S121 a token sees its own tenant only: another tenant’s user is 404 Request_ResourceNotFound, as an unknown one', async () => {
    for (const which of ['appV2', 'full', 'basic']) {
      const list = await graph('/v1.0/users', tokens[which]);
      assert.ok(!names(list.body).includes(CAROL), `${which}: no fabrikam user listed`);
      assert.ok(names(list.body).includes(BOB));
      for (const key of [
        SAMPLE_IDS.carol,
        CAROL,
        'nobody@contoso.onmicrosoft.com',
        '0badc0de-0000-4000-8000-000000000000',
      ]) {
        const r = await graph(`/v1.0/users/${encodeURIComponent(key)}`, tokens[which]);
        assertGraphError(r, 404, 'Request_ResourceNotFound', `${which} ${key}`);
        assert.equal(
          (r.body.error as Body).message,
          `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
        );
      }
    }
    const fabrikam = await graph('/v1.0/users', tokens.fabrikam);
    assert.deepEqual(names(fabrikam.body), [CAROL]);
    assertGraphError(
      await graph(`/v1.0/users/${BOB}`, tokens.fabrikam),
      404,
      'Request_ResourceNotFound',
      'bob',
    );
  });

  it('$top pages with @odata.nextLink; $filter on userPrincipalName; bad values are 400 Request_UnsupportedQuery', async () => {
    const all = names((await graph('/v1.0/users', tokens.appV2)).body);
    assert.ok(all.length >= 3);
    const seen: string[] = [];
    let next: string | undefined = `/v1.0/users?$top=1`;
    for (let pages = 0; next && pages < 10; pages++) {
      const page = await graph(next, tokens.appV2);
      assert.equal(page.status, 200);
      assert.equal((page.body.value as Body[]).length, 1);
      seen.push(...names(page.body));
      const link = page.body['@odata.nextLink'] as string | undefined;
      next = link ? link.slice(e.url.length) : undefined;
    }
    assert.deepEqual(seen, all, 'the pages list every user once');
    const filtered = await graph(
      `/v1.0/users?$filter=${encodeURIComponent(`userPrincipalName eq '${BOB}'`)}`,
      tokens.appV2,
    );
    assert.deepEqual(names(filtered.body), [BOB]);
    const quoted = await graph(
      `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'o''brien@contoso.onmicrosoft.com'")}`,
      tokens.appV2,
    );
    assert.deepEqual(names(quoted.body), ["o'brien@contoso.onmicrosoft.com"]);
    for (const bad of [
      '$top=0',
      '$top=1000',
      '$top=abc',
      `$filter=${encodeURIComponent("startswith(displayName,'a')")}`,
    ]) {
      assertGraphError(await graph(`/v1.0/users?${bad}`, tokens.appV2), 400, 'Request_UnsupportedQuery', bad);
    }
  });

  it('without a valid Graph token: 401 InvalidAuthenticationToken with Graph’s challenge', async () => {
    assertGraphError(await graph('/v1.0/users', undefined), 401, 'InvalidAuthenticationToken', 'no token');
    const arm = await tokenRequest(e.url, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: 'https://management.core.windows.net//.default',
    });
    assertGraphError(
      await graph(`/v1.0/users/${BOB}`, String(arm.body.access_token)),
      401,
      'InvalidAuthenticationToken',
      'a token for another resource',
    );
  });
});
