/**
 * The managed identity protocols on the wire (IMDS's `/metadata/identity/oauth2/token`, App Service's
 * `IDENTITY_ENDPOINT`), as Microsoft documents them and its clients read them: the answers' shapes, the tokens'
 * claims, how an identity is selected, and every refusal. These endpoints give tokens to whoever asks, with no
 * client credential; their guards (one header an SSRF cannot add, S115; loopback only and no web page, S116) are
 * swept over every managed identity route of the route table.
 */
import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { loadConfig } from '../src/directory/load.ts';
import { APP_SERVICE, appServiceToken } from '../src/endpoints/managed-identity-app-service.ts';
import { IMDS, imdsToken } from '../src/endpoints/managed-identity-imds.ts';
import {
  type ManagedIdentityProtocol,
  managedIdentityProtocolOf,
  selectIdentity,
} from '../src/endpoints/managed-identity.ts';
import { parseParams } from '../src/http/request.ts';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { ROUTES } from '../src/routes.ts';

const TEST = { timeout: 30_000 };
const REQUEST_TIMEOUT_MS = 10_000;
const ARM = 'https://management.azure.com/';
const API = `api://${SAMPLE_IDS.apiApp}`;
const RG = `/subscriptions/${SAMPLE_IDS.subscription}/resourceGroups/sample-rg/providers`;
const API_CALLER_RES_ID = `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-api-caller`;
const GRAPH_READER_RES_ID = `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/sample-graph-reader`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let e: RunningEmulator;
let port: number;

function parseBody(text: string): Record<string, unknown> {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { text };
  }
}

/** A GET with exactly these headers (node:http: the Host header too, and repeated headers as arrays). */
function get(path: string, headers: Record<string, string | string[]> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, headers: res.headers, body: parseBody(text) });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`GET ${path.slice(0, 60)} got no answer in ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

function imdsPath(query: Record<string, string>): string {
  return `/metadata/identity/oauth2/token?${new URLSearchParams({ 'api-version': '2018-02-01', ...query })}`;
}

function appServicePath(query: Record<string, string>): string {
  return `/msi/token?${new URLSearchParams({ 'api-version': '2019-08-01', ...query })}`;
}

const IMDS_HEADERS = { Metadata: 'true' };
const APP_SERVICE_HEADERS = { 'X-IDENTITY-HEADER': SAMPLE_SECRETS.identityHeader };

async function claimsOf(token: unknown): Promise<Record<string, unknown>> {
  assert.equal(typeof token, 'string');
  const jwks = (await (
    await fetch(`${e.url}/${SAMPLE_IDS.contoso}/discovery/v2.0/keys`)
  ).json()) as JSONWebKeySet;
  const { payload } = await jwtVerify(token as string, createLocalJWKSet(jwks));
  return payload as Record<string, unknown>;
}

/** The guard header each protocol needs (S115), the way it is sent right. */
const GUARD_HEADERS = new Map<ManagedIdentityProtocol, Record<string, string>>([
  [IMDS, IMDS_HEADERS],
  [APP_SERVICE, APP_SERVICE_HEADERS],
]);
const VALID_QUERY = new Map<ManagedIdentityProtocol, Record<string, string>>([
  [IMDS, { 'api-version': '2018-02-01', resource: ARM }],
  [APP_SERVICE, { 'api-version': '2019-08-01', resource: ARM }],
]);

/** S115: the ways to get a protocol's guard header wrong; none may get a token. */
const WRONG_GUARDS = new Map<ManagedIdentityProtocol, [string, Record<string, string | string[]>][]>([
  [
    IMDS,
    [
      ['no Metadata header', {}],
      ['Metadata: True', { Metadata: 'True' }],
      ['Metadata: TRUE', { Metadata: 'TRUE' }],
      ['Metadata: false', { Metadata: 'false' }],
      ['Metadata: 1', { Metadata: '1' }],
      ['an empty Metadata header', { Metadata: '' }],
      ['Metadata sent twice', { Metadata: ['true', 'true'] }],
      ['Metadata: true with X-Forwarded-For', { Metadata: 'true', 'X-Forwarded-For': '10.0.0.1' }],
      ['Metadata: true with an empty X-Forwarded-For', { Metadata: 'true', 'X-Forwarded-For': '' }],
    ],
  ],
  [
    APP_SERVICE,
    [
      ['no X-IDENTITY-HEADER', {}],
      ['a wrong X-IDENTITY-HEADER', { 'X-IDENTITY-HEADER': 'tl-sample-identity-header-0005' }],
      ['the value in upper case', { 'X-IDENTITY-HEADER': SAMPLE_SECRETS.identityHeader.toUpperCase() }],
      ['a prefix of the value', { 'X-IDENTITY-HEADER': SAMPLE_SECRETS.identityHeader.slice(0, -1) }],
      ['the value and more', { 'X-IDENTITY-HEADER': `${SAMPLE_SECRETS.identityHeader}x` }],
      ['an empty X-IDENTITY-HEADER', { 'X-IDENTITY-HEADER': '' }],
      [
        'X-IDENTITY-HEADER sent twice',
        { 'X-IDENTITY-HEADER': [SAMPLE_SECRETS.identityHeader, SAMPLE_SECRETS.identityHeader] },
      ],
      ['the value as Metadata (the other protocol’s header)', { Metadata: 'true' }],
    ],
  ],
]);

/** The managed identity routes of the route table, with an example path each and the protocol they serve. */
function managedIdentityRoutes(): { path: string; protocol: ManagedIdentityProtocol }[] {
  return ROUTES.flatMap((r) => {
    const protocol = managedIdentityProtocolOf(r.handler);
    if (!protocol) return [];
    const path = r.pattern.source
      .replace(/^\^|\$$/g, '')
      .replaceAll('\\/', '/')
      .replaceAll('\\.', '.');
    assert.ok(r.pattern.test(path), `an example path for ${r.pattern.source}`);
    return [{ path, protocol }];
  });
}

function assertNoToken(a: Answer, what: string): void {
  assert.equal(a.body.access_token, undefined, `${what}: no token`);
  assert.ok(a.status >= 400, `${what}: refused (${a.status})`);
}

before(async () => {
  e = await startEmulator();
  port = Number(new URL(e.url).port);
});
after(() => e?.close());

describe('managed identity: the answers, as the real endpoints give them', TEST, () => {
  it('S118 IMDS: a token answer carries access_token, client_id, expires_in, expires_on, ext_expires_in, not_before, resource, token_type, every number a string matching the token', async () => {
    const a = await get(imdsPath({ resource: ARM }), IMDS_HEADERS);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.match(String(a.headers['content-type']), /^application\/json/);
    assert.match(String(a.headers['cache-control']), /no-store/);
    assert.deepEqual(Object.keys(a.body), [
      'access_token',
      'client_id',
      'expires_in',
      'expires_on',
      'ext_expires_in',
      'not_before',
      'resource',
      'token_type',
    ]);
    for (const k of ['expires_in', 'expires_on', 'ext_expires_in', 'not_before'])
      assert.match(a.body[k] as string, /^\d+$/, `${k} is a string of digits`);
    const claims = await claimsOf(a.body.access_token);
    assert.equal(a.body.expires_on, String(claims.exp));
    assert.equal(a.body.not_before, String(claims.nbf));
    assert.equal(a.body.expires_in, String((claims.exp as number) - (claims.iat as number)));
    assert.equal(a.body.resource, ARM, 'resource: as asked');
    assert.equal(a.body.token_type, 'Bearer');
    assert.equal(a.body.client_id, SAMPLE_IDS.systemIdentity, 'no selector: the system-assigned identity');
  });

  it('S118 App Service: a token answer carries access_token, expires_on (a string), resource, token_type, client_id, not_before', async () => {
    const a = await get(
      appServicePath({ resource: ARM, client_id: SAMPLE_IDS.apiCallerIdentity }),
      APP_SERVICE_HEADERS,
    );
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(Object.keys(a.body), [
      'access_token',
      'expires_on',
      'resource',
      'token_type',
      'client_id',
      'not_before',
    ]);
    const claims = await claimsOf(a.body.access_token);
    assert.equal(a.body.expires_on, String(claims.exp));
    assert.equal(a.body.not_before, String(claims.nbf));
    assert.equal(a.body.client_id, SAMPLE_IDS.apiCallerIdentity);
    assert.equal(a.body.resource, ARM);
  });

  it('S118 the tokens are app-only tokens of the identity: v1 for Azure Resource Manager and Graph, v2 for a v2 API; oid and sub its principal id, appid/azp its client id, appidacr/azpacr 2, xms_mirid its resource ID, roles what it was granted', async () => {
    const v1 = await claimsOf(
      (
        await get(
          imdsPath({ resource: 'https://graph.microsoft.com', msi_res_id: GRAPH_READER_RES_ID }),
          IMDS_HEADERS,
        )
      ).body.access_token,
    );
    assert.equal(v1.ver, '1.0');
    assert.equal(v1.iss, `${e.url}/${SAMPLE_IDS.contoso}/`);
    assert.equal(v1.aud, 'https://graph.microsoft.com');
    assert.equal(v1.idtyp, 'app');
    assert.equal(v1.oid, SAMPLE_IDS.graphReaderIdentityPrincipal);
    assert.equal(v1.sub, SAMPLE_IDS.graphReaderIdentityPrincipal);
    assert.equal(v1.appid, SAMPLE_IDS.graphReaderIdentity);
    assert.equal(v1.appidacr, '2');
    assert.equal(v1.tid, SAMPLE_IDS.contoso);
    // Entra writes the resource group segment of xms_mirid in lower case.
    assert.equal(v1.xms_mirid, GRAPH_READER_RES_ID.replace('/resourceGroups/', '/resourcegroups/'));
    assert.deepEqual(v1.roles, ['User.Read.All']);
    assert.equal(v1.scp, undefined, 'no delegated scopes');

    const v2 = await claimsOf(
      (await get(appServicePath({ resource: API, mi_res_id: API_CALLER_RES_ID }), APP_SERVICE_HEADERS)).body
        .access_token,
    );
    assert.equal(v2.ver, '2.0');
    assert.equal(v2.iss, `${e.url}/${SAMPLE_IDS.contoso}/v2.0`);
    assert.equal(v2.aud, SAMPLE_IDS.apiApp);
    assert.equal(v2.azp, SAMPLE_IDS.apiCallerIdentity);
    assert.equal(v2.azpacr, '2');
    assert.equal(v2.oid, SAMPLE_IDS.apiCallerIdentityPrincipal);
    assert.equal(v2.idtyp, 'app');
    assert.deepEqual(v2.roles, ['Data.Read.All']);

    const system = await claimsOf((await get(imdsPath({ resource: ARM }), IMDS_HEADERS)).body.access_token);
    assert.equal(
      system.xms_mirid,
      `/subscriptions/${SAMPLE_IDS.subscription}/resourcegroups/sample-rg/providers/Microsoft.Compute/virtualMachines/sample-vm`,
    );
    assert.equal(system.roles, undefined, 'no roles granted on Azure Resource Manager');
  });

  it('S118 IMDS echoes object_id and msi_res_id when the request selected by them (IMDS REST specification)', async () => {
    const byObject = await get(
      imdsPath({ resource: ARM, object_id: SAMPLE_IDS.apiCallerIdentityPrincipal }),
      IMDS_HEADERS,
    );
    assert.equal(byObject.body.object_id, SAMPLE_IDS.apiCallerIdentityPrincipal);
    assert.equal(byObject.body.client_id, SAMPLE_IDS.apiCallerIdentity);
    const byRes = await get(imdsPath({ resource: ARM, msi_res_id: API_CALLER_RES_ID }), IMDS_HEADERS);
    assert.equal(byRes.body.msi_res_id, API_CALLER_RES_ID);
  });

  it('S118 unknown resource: IMDS answers 400 invalid_resource with AADSTS500011, App Service 500 with its own message', async () => {
    const imds = await get(imdsPath({ resource: 'https://unknown.example' }), IMDS_HEADERS);
    assert.equal(imds.status, 400);
    assert.equal(imds.body.error, 'invalid_resource');
    assert.match(imds.body.error_description as string, /^AADSTS500011: .*https:\/\/unknown\.example/);
    const app = await get(appServicePath({ resource: 'https://unknown.example' }), APP_SERVICE_HEADERS);
    assert.equal(app.status, 500);
    assert.deepEqual(Object.keys(app.body), ['statusCode', 'message', 'correlationId']);
    assert.equal(app.body.message, 'An unexpected error occured while fetching the AAD Token.');
  });

  it('S117 parameter errors: a missing resource, an api-version the protocol does not serve, a repeated parameter', async () => {
    const noResource = await get(imdsPath({}), IMDS_HEADERS);
    assert.deepEqual(
      [noResource.status, noResource.body],
      [400, { error: 'invalid_request', error_description: "Required query variable 'resource' is missing" }],
    );
    const oldVersion = await get(imdsPath({ 'api-version': '2017-12-01', resource: ARM }), IMDS_HEADERS);
    assert.equal(oldVersion.status, 400);
    assert.match(oldVersion.body.error as string, /^Bad request\. api-version is invalid/);
    assert.ok(Array.isArray(oldVersion.body['newest-versions']));
    const noVersion = await get(
      `/metadata/identity/oauth2/token?resource=${encodeURIComponent(ARM)}`,
      IMDS_HEADERS,
    );
    assert.equal(noVersion.status, 400);
    const appVersion = await get(
      appServicePath({ 'api-version': '2017-09-01', resource: ARM }),
      APP_SERVICE_HEADERS,
    );
    assert.equal(appVersion.status, 400);
    assert.match(appVersion.body.message as string, /2019-08-01/);
    for (const [path, headers] of [
      [`${imdsPath({ resource: ARM })}&resource=${encodeURIComponent(API)}`, IMDS_HEADERS],
      [
        `${appServicePath({ resource: ARM })}&client_id=${SAMPLE_IDS.apiCallerIdentity}&client_id=${SAMPLE_IDS.graphReaderIdentity}`,
        APP_SERVICE_HEADERS,
      ],
    ] as const) {
      const a = await get(path, headers);
      assertNoToken(a, `repeated parameter on ${path.slice(0, 12)}`);
      assert.equal(a.status, 400);
    }
  });
});

describe('managed identity: which identity (S117)', TEST, () => {
  const cases: [string, ManagedIdentityProtocol, Record<string, string>, string | number][] = [
    ['IMDS, no selector: the system-assigned identity', IMDS, {}, SAMPLE_IDS.systemIdentity],
    ['IMDS client_id', IMDS, { client_id: SAMPLE_IDS.apiCallerIdentity }, SAMPLE_IDS.apiCallerIdentity],
    [
      'IMDS client_id in upper case',
      IMDS,
      { client_id: SAMPLE_IDS.apiCallerIdentity.toUpperCase() },
      SAMPLE_IDS.apiCallerIdentity,
    ],
    [
      'IMDS object_id',
      IMDS,
      { object_id: SAMPLE_IDS.graphReaderIdentityPrincipal },
      SAMPLE_IDS.graphReaderIdentity,
    ],
    [
      'IMDS msi_res_id, any case',
      IMDS,
      { msi_res_id: API_CALLER_RES_ID.toLowerCase() },
      SAMPLE_IDS.apiCallerIdentity,
    ],
    [
      'IMDS client_id of the system-assigned identity',
      IMDS,
      { client_id: SAMPLE_IDS.systemIdentity },
      SAMPLE_IDS.systemIdentity,
    ],
    ['IMDS unknown client_id', IMDS, { client_id: '00000000-0000-0000-0000-000000000001' }, 400],
    ['IMDS empty client_id', IMDS, { client_id: '' }, 400],
    [
      'IMDS msi_res_id of the virtual machine (not an identity)',
      IMDS,
      { msi_res_id: `${RG}/Microsoft.Compute/virtualMachines/sample-vm` },
      400,
    ],
    [
      'IMDS client_id and object_id',
      IMDS,
      { client_id: SAMPLE_IDS.apiCallerIdentity, object_id: SAMPLE_IDS.apiCallerIdentityPrincipal },
      400,
    ],
    [
      'IMDS the App Service parameter mi_res_id (not IMDS’s: ignored)',
      IMDS,
      { mi_res_id: API_CALLER_RES_ID },
      SAMPLE_IDS.systemIdentity,
    ],
    ['App Service, no selector: the system-assigned identity', APP_SERVICE, {}, SAMPLE_IDS.systemIdentity],
    [
      'App Service client_id',
      APP_SERVICE,
      { client_id: SAMPLE_IDS.graphReaderIdentity },
      SAMPLE_IDS.graphReaderIdentity,
    ],
    [
      'App Service principal_id',
      APP_SERVICE,
      { principal_id: SAMPLE_IDS.apiCallerIdentityPrincipal },
      SAMPLE_IDS.apiCallerIdentity,
    ],
    [
      'App Service object_id (principal_id’s alias)',
      APP_SERVICE,
      { object_id: SAMPLE_IDS.apiCallerIdentityPrincipal },
      SAMPLE_IDS.apiCallerIdentity,
    ],
    [
      'App Service mi_res_id',
      APP_SERVICE,
      { mi_res_id: GRAPH_READER_RES_ID },
      SAMPLE_IDS.graphReaderIdentity,
    ],
    [
      'App Service unknown mi_res_id',
      APP_SERVICE,
      { mi_res_id: `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/nobody` },
      400,
    ],
    [
      'App Service principal_id and object_id',
      APP_SERVICE,
      {
        principal_id: SAMPLE_IDS.apiCallerIdentityPrincipal,
        object_id: SAMPLE_IDS.apiCallerIdentityPrincipal,
      },
      400,
    ],
  ];
  for (const [name, protocol, selector, expected] of cases) {
    it(`S117 ${name}`, async () => {
      const path =
        protocol === IMDS
          ? imdsPath({ resource: ARM, ...selector })
          : appServicePath({ resource: ARM, ...selector });
      const a = await get(path, GUARD_HEADERS.get(protocol)!);
      if (typeof expected === 'number') {
        assertNoToken(a, name);
        assert.equal(a.status, expected);
        if (protocol === IMDS) assert.equal(a.body.error, 'invalid_request');
        else assert.equal(typeof a.body.message, 'string');
      } else {
        assert.equal(a.status, 200, JSON.stringify(a.body));
        assert.equal(a.body.client_id, expected);
        assert.equal((await claimsOf(a.body.access_token)).oid !== undefined, true);
      }
    });
  }

  it('S117 unknown identities answer as the real endpoints do: IMDS "Identity not found", App Service "No User Assigned or Delegated Managed Identity found…"', async () => {
    const imds = await get(
      imdsPath({ resource: ARM, client_id: '00000000-0000-0000-0000-000000000001' }),
      IMDS_HEADERS,
    );
    assert.deepEqual(imds.body, { error: 'invalid_request', error_description: 'Identity not found' });
    const app = await get(
      appServicePath({ resource: ARM, client_id: '00000000-0000-0000-0000-000000000001' }),
      APP_SERVICE_HEADERS,
    );
    assert.equal(app.body.statusCode, 400);
    assert.equal(
      app.body.message,
      'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
    );
    assert.match(app.body.correlationId as string, /^[0-9a-f-]{36}$/);
  });

  it('S117 without a system-assigned identity: IMDS uses the only user-assigned one and refuses to guess among several; App Service never guesses', async () => {
    const config = (userAssigned: string[]) =>
      loadConfig({
        tenants: [{ domain: 'mi.example' }],
        managedIdentities: { userAssigned: userAssigned.map((name) => ({ name })) },
      });
    const query = parseParams('');
    const one = (await config(['only'])).directory.managedIdentities;
    const two = (await config(['first', 'second'])).directory.managedIdentities;
    const none = (await config([])).directory.managedIdentities;
    const picked = selectIdentity(one, query, IMDS);
    assert.ok('identity' in picked && picked.identity.name === 'only');
    assert.deepEqual(selectIdentity(two, query, IMDS), {
      status: 400,
      code: 'invalid_request',
      message:
        'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
    });
    assert.deepEqual(selectIdentity(none, query, IMDS), {
      status: 400,
      code: 'invalid_request',
      message: 'Identity not found',
    });
    for (const ids of [one, two, none]) {
      const refused = selectIdentity(ids, query, APP_SERVICE);
      assert.ok(
        !('identity' in refused) && refused.status === 400,
        'App Service: no system-assigned identity, no token',
      );
    }
  });
});

describe('managed identity: the guards (S115, S116), swept over every managed identity route', TEST, () => {
  it('S115 the route table serves both protocols, each at its path with and without a final slash, GET only, and grants no CORS', () => {
    const routes = managedIdentityRoutes();
    assert.deepEqual(routes.map((r) => `${r.protocol.name} ${r.path}`).sort(), [
      'App Service /msi/token',
      'App Service /msi/token/',
      'IMDS /metadata/identity/oauth2/token',
      'IMDS /metadata/identity/oauth2/token/',
    ]);
    for (const r of ROUTES.filter((x) => managedIdentityProtocolOf(x.handler))) {
      assert.deepEqual(r.methods, ['GET'], `${r.pattern.source}: GET only`);
      assert.equal(r.cors, undefined, `${r.pattern.source}: no page on another origin may read it`);
    }
    assert.equal(managedIdentityProtocolOf(imdsToken), IMDS);
    assert.equal(managedIdentityProtocolOf(appServiceToken), APP_SERVICE);
  });

  it('S115 every managed identity route: each wrong form of the protocol’s header is refused with the protocol’s error and no token; the right one gets a token', async () => {
    for (const { path, protocol } of managedIdentityRoutes()) {
      const query = `?${new URLSearchParams(VALID_QUERY.get(protocol))}`;
      for (const [what, headers] of WRONG_GUARDS.get(protocol)!) {
        const a = await get(`${path}${query}`, headers);
        assertNoToken(a, `${path}, ${what}`);
        assert.equal(a.status, 400, `${path}, ${what}`);
        if (protocol === IMDS) {
          assert.ok(
            ['bad_request_102', 'bad_request'].includes(a.body.error as string),
            `${path}, ${what}: ${JSON.stringify(a.body)}`,
          );
        } else {
          assert.equal(a.body.statusCode, 400, `${path}, ${what}`);
          assert.doesNotMatch(
            JSON.stringify(a.body),
            new RegExp(SAMPLE_SECRETS.identityHeader),
            'the answer names no header value',
          );
        }
      }
      const ok = await get(`${path}${query}`, GUARD_HEADERS.get(protocol)!);
      assert.equal(ok.status, 200, `${path}: the right header gets a token: ${JSON.stringify(ok.body)}`);
      assert.equal(typeof ok.body.access_token, 'string');
    }
  });

  it('S115 IMDS: without the Metadata header the answer is 400 bad_request_102 "Required metadata header not specified", also to @azure/identity’s availability probe (no header, no query)', async () => {
    for (const path of [imdsPath({ resource: ARM }), '/metadata/identity/oauth2/token']) {
      const a = await get(path, { Accept: 'application/json' });
      assert.deepEqual(
        [a.status, a.body],
        [400, { error: 'bad_request_102', error_description: 'Required metadata header not specified' }],
      );
    }
  });

  it('S116 every managed identity route refuses a request naming another host (DNS rebinding), one a web page sent (Origin, Sec-Fetch-Site), and grants no preflight', async () => {
    const attacks: [string, Record<string, string>][] = [
      ['a rebound DNS name in Host', { Host: `attacker.example:${port}` }],
      ['a public address in Host', { Host: `203.0.113.7:${port}` }],
      ['an Origin header', { Origin: 'http://localhost:3000' }],
      ['the emulator’s own Origin', { Origin: e.url }],
      ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ];
    for (const { path, protocol } of managedIdentityRoutes()) {
      const query = `?${new URLSearchParams(VALID_QUERY.get(protocol))}`;
      for (const [what, extra] of attacks) {
        const a = await get(`${path}${query}`, { ...GUARD_HEADERS.get(protocol)!, ...extra });
        assertNoToken(a, `${path}, ${what}`);
        assert.equal(a.status, 403, `${path}, ${what}`);
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
        const a = await get(`${path}${query}`, { ...GUARD_HEADERS.get(protocol)!, Host: host });
        assert.equal(a.status, 200, `${path}: Host ${host} is this machine`);
      }
      const preflight = await fetch(`${e.url}${path}${query}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:3000',
          'access-control-request-method': 'GET',
          'access-control-request-headers': protocol === IMDS ? 'metadata' : 'x-identity-header',
        },
      });
      await preflight.arrayBuffer();
      assert.equal(
        preflight.headers.get('access-control-allow-origin'),
        null,
        `${path}: no preflight granted`,
      );
      const post = await fetch(`${e.url}${path}${query}`, {
        method: 'POST',
        headers: GUARD_HEADERS.get(protocol)!,
      });
      assert.equal(post.status, 405, `${path}: POST`);
      await post.arrayBuffer();
    }
  });

  it('S115 an App Service endpoint with no identity header configured refuses every request, saying how to set one', async () => {
    const loaded = await loadConfig({
      tenants: [{ domain: 'mi.example' }],
      managedIdentities: { systemAssigned: { name: 'vm' } },
    });
    assert.equal(loaded.directory.managedIdentities.identityHeader, undefined);
    const other = await startEmulator({
      config: { tenants: [{ domain: 'mi.example' }], managedIdentities: { systemAssigned: { name: 'vm' } } },
    });
    try {
      const attempts: Record<string, string>[] = [
        {},
        { 'X-IDENTITY-HEADER': '' },
        { 'X-IDENTITY-HEADER': 'undefined' },
      ];
      for (const headers of attempts) {
        const res = await fetch(`${other.url}${appServicePath({ resource: ARM })}`, { headers });
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(res.status, 400);
        assert.equal(body.access_token, undefined);
        assert.match(body.message as string, /managedIdentities\.identityHeader/);
      }
      const imds = await fetch(`${other.url}${imdsPath({ resource: ARM })}`, { headers: IMDS_HEADERS });
      assert.equal(imds.status, 200, 'IMDS needs no configured secret');
      await imds.arrayBuffer();
    } finally {
      await other.close();
    }
  });
});

describe('managed identity: the directory config (S119)', TEST, () => {
  const base = { tenants: [{ domain: 'mi.example' }] };

  it('S119 ids left out are derived from the name, the same on every load; resource IDs are ARM IDs of the right type', async () => {
    const config = {
      ...base,
      managedIdentities: { systemAssigned: { name: 'vm-1' }, userAssigned: [{ name: 'ua-1' }] },
    };
    const a = (await loadConfig(config)).directory.managedIdentities;
    const b = (await loadConfig(structuredClone(config))).directory.managedIdentities;
    assert.deepEqual(a, b);
    assert.match(
      a.userAssigned[0]!.resourceId,
      /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/tokenloop\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/ua-1$/,
    );
    assert.match(a.systemAssigned!.resourceId, /\/providers\/Microsoft\.Compute\/virtualMachines\/vm-1$/);
    assert.notEqual(a.systemAssigned!.clientId, a.userAssigned[0]!.clientId);
  });

  it('S119 a config whose identities reuse an id, or give a malformed resource ID, is refused saying which', async () => {
    const refused: [unknown, RegExp][] = [
      [
        {
          ...base,
          apps: [{ name: 'd', type: 'daemon', clientId: SAMPLE_IDS.daemonApp, secret: 'abcdefghij' }],
          managedIdentities: { userAssigned: [{ name: 'ua', clientId: SAMPLE_IDS.daemonApp }] },
        },
        /client id of managed identity ua .* is already the client id of app d/,
      ],
      [
        {
          ...base,
          managedIdentities: {
            userAssigned: [
              { name: 'a' },
              {
                name: 'b',
                principalId: '11111111-1111-1111-1111-111111111111',
                clientId: '11111111-1111-1111-1111-111111111111',
              },
            ],
          },
        },
        /principal id of managed identity b .* is already the client id of managed identity b/,
      ],
      [
        { ...base, managedIdentities: { userAssigned: [{ name: 'a' }, { name: 'A' }] } },
        /managed identity A .* is already .* of managed identity a/,
      ],
      [
        {
          ...base,
          managedIdentities: {
            userAssigned: [{ name: 'a', resourceId: `${RG}/Microsoft.Compute/virtualMachines/a` }],
          },
        },
        /managed identity a: resourceId must look like .*Microsoft\.ManagedIdentity\/userAssignedIdentities\/a/,
      ],
      [
        {
          ...base,
          managedIdentities: {
            userAssigned: [
              { name: 'a', resourceId: `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/b` },
            ],
          },
        },
        /resourceId must look like/,
      ],
      [
        {
          ...base,
          managedIdentities: {
            userAssigned: [
              {
                name: 'a',
                resourceId: API_CALLER_RES_ID.replace('sample-api-caller', 'a'),
                resourceGroup: 'rg',
              },
            ],
          },
        },
        /either resourceId or subscriptionId and resourceGroup/,
      ],
      [
        { ...base, managedIdentities: { userAssigned: [{ name: 'a', tenant: 'nowhere.example' }] } },
        /managed identity a: unknown tenant/,
      ],
      [{ ...base, managedIdentities: { identityHeader: 'short' } }, /managedIdentities\.identityHeader/],
      [
        { ...base, managedIdentities: { identityHeader: 'has a space in it, long enough' } },
        /managedIdentities\.identityHeader/,
      ],
      [
        { ...base, managedIdentities: { userAssigned: [{ name: '-bad' }] } },
        /managedIdentities\.userAssigned\.0\.name/,
      ],
    ];
    for (const [config, message] of refused) {
      await assert.rejects(loadConfig(config), message, JSON.stringify(config).slice(0, 200));
    }
  });
});
