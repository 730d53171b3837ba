/**
 * Workload identity federation (issue 13): an app's federated identity credentials, and external OIDC tokens (a CI
 * system's, a Kubernetes service account's) exchanged for Entra tokens as the app's client assertion.
 *   - Microsoft's @azure/identity drives it as users do: WorkloadIdentityCredential with a token file, and
 *     DefaultAzureCredential configured by AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE and
 *     AZURE_AUTHORITY_HOST alone, in child processes that trust the emulator's CA (as azure-identity.test.ts);
 *   - the token comes from the emulator's own CI issuer (S137) or from an issuer that is not the emulator: a small
 *     loopback OIDC issuer of this file (discovery document, JWKS, its own key, real HTTP, real jose);
 *   - every refusal carries the AADSTS code Entra gives for it (S136), and the emulator asks an issuer for its keys
 *     only when one of the app's credentials declares it, on this machine, within bounds (S135).
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { type RunningEmulator, startEmulator } from '../src/index.ts';
import { loadConfig } from '../src/directory/load.ts';
import {
  containment,
  DriverCallError,
  type IdentityDriver,
  startContainedDriver,
  startIdentityDriver,
  startProxyTrap,
} from './azure-identity/harness.ts';
import type { Observed, TokenSummary } from './azure-identity/protocol.ts';
import { GRAPH, GRAPH_DEFAULT, T } from './azure-identity/resources.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const EXCHANGE = 'api://AzureADTokenExchange';
const CI_SUBJECT = 'repo:contoso/app:ref:refs/heads/main';
const POD_SUBJECT = 'system:serviceaccount:default:workload';
const HTTP_TIMEOUT_MS = 10_000;

type Json = Record<string, unknown>;

/**
 * An OIDC issuer that is not the emulator, on loopback: `/cluster` (a Kubernetes cluster's: discovery and JWKS),
 * and issuers that misbehave — `/elsewhere` (JWKS on another origin), `/moved` (discovery redirects elsewhere),
 * `/huge` (a discovery document past the emulator's size bound), `/undeclared` (a good issuer no app declares),
 * `/fresh` (a good issuer asked only by the S159 test), `/broken` (discovery answers 500).
 * Records every path asked for.
 */
async function startExternalIssuer(other: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'cluster-key-1', alg: 'RS256', use: 'sig' };
  const hits: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    hits.push(path);
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/(cluster|undeclared|elsewhere|huge|fresh)\/\.well-known\/openid-configuration$/.exec(path);
    if (m?.[1] === 'huge')
      return json({
        issuer: `${origin}/huge`,
        jwks_uri: `${origin}/cluster/keys`,
        padding: 'x'.repeat(100_000),
      });
    if (m) {
      const keys = m[1] === 'elsewhere' ? `${other}/keys` : `${origin}/${m[1]}/keys`;
      return json({
        issuer: `${origin}/${m[1]}`,
        jwks_uri: keys,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (path === '/moved/.well-known/openid-configuration') {
      res.writeHead(302, { location: `${other}/.well-known/openid-configuration` });
      return res.end();
    }
    if (/^\/(cluster|undeclared|fresh)\/keys$/.test(path)) return json({ keys: [jwk] });
    if (path === '/broken/.well-known/openid-configuration') return res.writeHead(500).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    /** A token of this issuer: `path` names which (`cluster` …), `claims` override the defaults. */
    sign(path: string, claims: JWTPayload = {}, key = privateKey): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iat: now, nbf: now, exp: now + 3600, sub: POD_SUBJECT, aud: EXCHANGE, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })
        .setIssuer(`${origin}/${path}`)
        .sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback server that must never be asked anything: counts what reaches it. */
async function startSentinel() {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dir: string;
let e: RunningEmulator;
let trap: Awaited<ReturnType<typeof startProxyTrap>>;
let sentinel: Awaited<ReturnType<typeof startSentinel>>;
let ext: Awaited<ReturnType<typeof startExternalIssuer>>;
let driver: IdentityDriver;
let dispatcher: Agent;
let appId: string;
let files = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenloop-workload-identity-'));
  [e, trap, sentinel] = await Promise.all([
    startEmulator({ https: true, dataDir: join(dir, 'emulator') }),
    startProxyTrap(),
    startSentinel(),
    mkdir(join(dir, 'empty')),
  ]);
  ext = await startExternalIssuer(sentinel.origin);
  dispatcher = new Agent({ connect: { ca: await readFile(e.caCertFile!, 'utf8') } });
  driver = await startContainedDriver(e.caCertFile!, trap.url);
  const declared = (name: string, path: string) => ({
    name,
    issuer: `${ext.origin}/${path}`,
    subject: POD_SUBJECT,
  });
  appId = e.addApp({
    name: 'Deployed by CI',
    type: 'daemon',
    tenant: T,
    applicationPermissions: { [GRAPH]: ['User.Read.All'] },
    federatedIdentityCredentials: [
      { name: 'github-main', issuer: `${e.url}/issuers/github-actions`, subject: CI_SUBJECT },
      declared('cluster', 'cluster'),
      declared('elsewhere', 'elsewhere'),
      declared('moved', 'moved'),
      declared('huge', 'huge'),
      declared('fresh', 'fresh'),
      declared('broken', 'broken'),
      { name: 'github-com', issuer: 'https://token.actions.githubusercontent.com', subject: CI_SUBJECT },
    ],
  }).clientId;
});

after(async () => {
  await Promise.allSettled([driver?.close(), trap?.close(), e?.close(), ext?.close(), sentinel?.close()]);
  await dispatcher?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function http(path: string, init: { method?: string; body?: string; headers?: Json } = {}) {
  const res = await undiciFetch(`${e.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers as Record<string, string>,
    ...(init.body !== undefined ? { body: init.body } : {}),
    dispatcher,
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
}

/** The assertion presented at a token endpoint (v2 client credentials unless `endpoint` says otherwise). */
function present(assertion: string, endpoint: 'v2' | 'v1' = 'v2') {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: appId,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    ...(endpoint === 'v2' ? { scope: GRAPH_DEFAULT } : { resource: GRAPH }),
  });
  const path = endpoint === 'v2' ? `/${T}/oauth2/v2.0/token` : `/${T}/oauth2/token`;
  return http(path, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** A CI token of the emulator's issuer `issuer`, through the admin API as a user's script asks for one. */
async function ciToken(body: Json): Promise<string> {
  const r = await http('/_emulator/api/federated-tokens', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body.error_description));
  return r.body.token as string;
}

function assertRefused(r: { status: number; body: Json }, code: number, status = 401, what = ''): void {
  const why = `${what}: ${String(r.body.error_description)}`;
  assert.equal(r.status, status, `HTTP status for AADSTS${code} (${why})`);
  assert.deepEqual(r.body.error_codes, [code], why);
  assert.match(String(r.body.error_description), new RegExp(`^AADSTS${code}: `), why);
}

async function tokenFile(token: string): Promise<string> {
  const file = join(dir, `federated-token-${++files}`);
  await writeFile(file, token, { mode: 0o600 });
  return file;
}

/** A WorkloadIdentityCredential of the federated app in the shared driver, reading its token from `file`. */
function createWorkloadCredential(name: string, file: string) {
  return driver.call({
    op: 'create',
    name,
    credential: {
      kind: 'WorkloadIdentityCredential',
      tenantId: T,
      clientId: appId,
      authorityHost: e.url,
      tokenFilePath: file,
    },
  });
}

function assertLoopbackOnly(observed: Observed): void {
  for (const origin of observed.requests) assert.equal(origin, e.url, `a request to ${origin}`);
  assert.deepEqual(observed.spawned, [], 'started no program');
  assert.deepEqual(trap.targets, [], 'nothing was meant for a host other than loopback');
}

/** getToken twice: one client-credentials request for the app, the second from MSAL's cache. */
async function twiceFromCache(d: IdentityDriver, name: string): Promise<TokenSummary> {
  e.resetStats();
  const first = await d.call({ op: 'getToken', name, scopes: [GRAPH_DEFAULT] });
  assertLoopbackOnly(first.observed);
  assert.ok(first.value, 'getToken returned a token');
  const once = { client_credentials: { [appId]: 1 } };
  assert.deepEqual(e.stats().token_requests, once, 'one token request');
  const second = await d.call({ op: 'getToken', name, scopes: [GRAPH_DEFAULT] });
  assert.deepEqual(second.observed.requests, [], 'the second from the cache');
  assert.equal(second.value?.claims.uti, first.value.claims.uti);
  assert.deepEqual(e.stats().token_requests, once, 'no second token request');
  const t = first.value;
  assert.equal(t.claims.appid, appId);
  assert.equal(t.claims.aud, GRAPH);
  assert.equal(t.claims.tid, T);
  assert.deepEqual(t.claims.roles, ['User.Read.All']);
  return t;
}

describe('workload identity federation with @azure/identity', { timeout: 60_000 }, () => {
  it('S137 WorkloadIdentityCredential with a token file from the emulator’s CI issuer: one request, then the cache', async () => {
    const name = 'workload-ci';
    const file = await tokenFile(await ciToken({ issuer: 'github-actions', subject: CI_SUBJECT }));
    const created = await createWorkloadCredential(name, file);
    assertLoopbackOnly(created.observed);
    await twiceFromCache(driver, name);
  });

  it('S136 DefaultAzureCredential configured by the environment alone, with a token of an issuer that is not the emulator', async () => {
    const file = await tokenFile(await ext.sign('cluster'));
    const env = await startIdentityDriver({
      PATH: join(dir, 'empty'),
      HOME: join(dir, 'empty'),
      ...containment(e.caCertFile!, trap.url),
      AZURE_AUTHORITY_HOST: e.url,
      AZURE_TENANT_ID: T,
      AZURE_CLIENT_ID: appId,
      AZURE_FEDERATED_TOKEN_FILE: file,
    });
    try {
      const name = 'default-env';
      await env.call({
        op: 'create',
        name,
        credential: { kind: 'DefaultAzureCredential', options: 'documented' },
      });
      await twiceFromCache(env, name);
      assert.ok(ext.hits.includes('/cluster/.well-known/openid-configuration'), 'discovery asked');
      assert.ok(ext.hits.includes('/cluster/keys'), 'JWKS asked');
    } finally {
      await env.close();
    }
  });

  it('S136 WorkloadIdentityCredential with a token for another subject fails with AADSTS700213', async () => {
    const name = 'workload-wrong-subject';
    const file = await tokenFile(
      await ciToken({ issuer: 'github-actions', subject: 'repo:contoso/app:pull_request' }),
    );
    await createWorkloadCredential(name, file);
    e.resetStats();
    await assert.rejects(driver.call({ op: 'getToken', name, scopes: [GRAPH_DEFAULT] }), (err: unknown) => {
      assert.ok(err instanceof DriverCallError, String(err));
      assert.match(
        err.message,
        /AADSTS700213: No matching federated identity record found for presented assertion subject/,
      );
      return true;
    });
    assert.deepEqual(e.stats().token_requests, { client_credentials: { [appId]: 1 } });
  });
});

describe('federated assertions at the token endpoint', { timeout: 30_000 }, () => {
  it('S136 an assertion must match a declared credential exactly (iss, sub, aud), be signed by its issuer and unexpired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = await generateKeyPair('RS256');
    const b64 = (o: Json) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
      iss: `${ext.origin}/cluster`,
      sub: POD_SUBJECT,
      aud: EXCHANGE,
      exp: now + 600,
    })}.`;
    const hs256 = await new SignJWT({ sub: POD_SUBJECT, aud: EXCHANGE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(`${ext.origin}/cluster`)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('a shared secret the issuer never had'));
    const cases: [string, string, number][] = [
      ['wrong issuer', await ext.sign('undeclared'), 700211],
      [
        'the emulator’s CI issuer of another name',
        await ciToken({ issuer: 'gitlab', subject: CI_SUBJECT }),
        700211,
      ],
      ['wrong subject', await ext.sign('cluster', { sub: 'system:serviceaccount:default:other' }), 700213],
      [
        'subject differing in case only',
        await ext.sign('cluster', { sub: POD_SUBJECT.toUpperCase() }),
        7002138,
      ],
      ['wrong audience', await ext.sign('cluster', { aud: 'api://AzureADMyOrg' }), 700212],
      [
        'CI token for another audience',
        await ciToken({ issuer: 'github-actions', subject: CI_SUBJECT, audience: 'sts.amazonaws.com' }),
        700212,
      ],
      ['expired', await ext.sign('cluster', { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }), 700024],
      ['unsigned (alg none)', unsigned, 700027],
      ['HS256 with a made-up secret', hs256, 700027],
      ['signed by a key not in the issuer’s JWKS', await ext.sign('cluster', {}, other.privateKey), 700027],
    ];
    for (const [what, assertion, code] of cases) assertRefused(await present(assertion), code, 401, what);
    // Baselines: the same app, right tokens; a federated token may be presented again (no jti replay check).
    const again = await ext.sign('cluster', { jti: 'one-token-file' });
    assert.equal((await present(again)).status, 200);
    assert.equal((await present(again)).status, 200, 'the same federated token a second time');
    assert.equal(
      (await present(await ciToken({ issuer: 'github-actions', subject: CI_SUBJECT }))).status,
      200,
    );
  });

  it('S136 sweep: every endpoint that authenticates clients takes and checks federated assertions the same way', async () => {
    const good = await ext.sign('cluster');
    const wrong = await ext.sign('cluster', { sub: 'system:serviceaccount:kube-system:default' });
    for (const endpoint of ['v2', 'v1'] as const) {
      const ok = await present(good, endpoint);
      assert.equal(ok.status, 200, `${endpoint}: ${String(ok.body.error_description)}`);
      assertRefused(await present(wrong, endpoint), 700213);
    }
    const introspect = (assertion: string) =>
      http(`/${T}/oauth2/v2.0/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: 'not-a-token',
          client_id: appId,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: assertion,
        }).toString(),
      });
    assert.equal((await introspect(good)).status, 200);
    assertRefused(await introspect(wrong), 700213);
  });

  it('S135 only an issuer a credential of the app declares is fetched, on loopback, without redirects, in bounds', async () => {
    const before = ext.hits.length;
    assertRefused(await present(await ext.sign('undeclared')), 700211);
    assert.deepEqual(ext.hits.slice(before), [], 'an undeclared issuer is never asked');
    // Declared, but not on this machine: refused before any request.
    const far = await new SignJWT({ sub: CI_SUBJECT, aud: EXCHANGE })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://token.actions.githubusercontent.com')
      .setExpirationTime('10m')
      .sign((await generateKeyPair('RS256')).privateKey);
    const r = await present(far);
    assertRefused(r, 50166, 400);
    assert.match(String(r.body.error_description), /loopback issuers only/);
    const why: [string, RegExp][] = [
      ['elsewhere', /jwks_uri is not on the issuer's origin/],
      ['moved', /answered HTTP 302/],
      ['huge', /answered more than 65536 bytes/],
    ];
    for (const [path, message] of why) {
      const res = await present(await ext.sign(path));
      assertRefused(res, 50166, 400, path);
      assert.match(String(res.body.error_description), message);
    }
    assert.deepEqual(sentinel.hits, [], 'no JWKS on another origin, no redirect followed');
  });

  it('S159 concurrent requests of a new issuer share one discovery and one JWKS fetch; a failure is remembered briefly', async () => {
    const assertions = await Promise.all(Array.from({ length: 8 }, () => ext.sign('fresh')));
    const results = await Promise.all(assertions.map((a) => present(a)));
    for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
    const fresh = ext.hits.filter((h) => h.startsWith('/fresh/'));
    assert.deepEqual(fresh, ['/fresh/.well-known/openid-configuration', '/fresh/keys']);
    const first = await present(await ext.sign('broken'));
    assertRefused(first, 50166, 400);
    assert.match(String(first.body.error_description), /answered HTTP 500/);
    const second = await present(await ext.sign('broken'));
    assertRefused(second, 50166, 400);
    assert.equal(
      ext.hits.filter((h) => h.startsWith('/broken/')).length,
      1,
      'the failure is not asked again at once',
    );
  });

  it('S139 a CI token is no Entra token: its key is not in the tenant’s JWKS, and Graph refuses it', async () => {
    const token = await ciToken({ issuer: 'github-actions', subject: CI_SUBJECT, audience: GRAPH });
    const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
    const entra = await http(`/${T}/discovery/v2.0/keys`);
    assert.ok(!(entra.body.keys as Json[]).some((k) => k.kid === kid), 'not an Entra signing key');
    const ci = await http('/issuers/github-actions/.well-known/openid-configuration');
    assert.equal(ci.body.issuer, `${e.url}/issuers/github-actions`);
    const keys = await http('/issuers/github-actions/keys');
    assert.deepEqual(
      (keys.body.keys as Json[]).map((k) => k.kid),
      [kid],
    );
    const me = await http('/v1.0/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 401);
  });

  it('S137 CI tokens: only from the guarded admin API, for a named issuer, with a bounded lifetime', async () => {
    const post = (body: unknown, type = 'application/json') =>
      http('/_emulator/api/federated-tokens', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': type },
      });
    const ok = await post({ issuer: 'kubernetes', subject: POD_SUBJECT, lifetime: 600 });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.issuer, `${e.url}/issuers/kubernetes`);
    assert.equal(ok.body.audience, EXCHANGE);
    assert.ok(Math.abs((ok.body.expires_on as number) - (Date.now() / 1000 + 600)) < 30);
    for (const bad of [
      { issuer: 'https://token.actions.githubusercontent.com', subject: CI_SUBJECT },
      { issuer: 'github-actions' },
      { issuer: 'github-actions', subject: CI_SUBJECT, lifetime: 10 * 86_400 },
      { issuer: 'github-actions', subject: CI_SUBJECT, lifetime: 1 },
      { issuer: 'github-actions', subject: CI_SUBJECT, iss: 'x' },
      ['github-actions'],
    ]) {
      const r = await post(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.body.error, 'invalid_request');
    }
    assert.equal((await post({ issuer: 'github-actions', subject: CI_SUBJECT }, 'text/plain')).status, 415);
  });
});

describe('federated identity credentials in the directory config', () => {
  const config = (fics: unknown, type = 'daemon') => ({
    tenants: [{ domain: 'contoso.onmicrosoft.com' }],
    apps: [{ name: 'CI app', type, federatedIdentityCredentials: fics }],
  });
  const fic = (name: string, extra: Json = {}) => ({
    name,
    issuer: 'https://token.actions.githubusercontent.com',
    subject: `repo:contoso/${name}:ref:refs/heads/main`,
    ...extra,
  });

  it('S138 credentials are checked when the directory is loaded, bounded to 20 per app, audience default api://AzureADTokenExchange', async () => {
    const { directory } = await loadConfig(
      config([
        fic('main'),
        fic('k8s', { issuer: 'http://127.0.0.1:9/k' }),
        // The emulator's own CI issuer, served over http under its --public-url (a container network).
        fic('own', { issuer: 'http://emulator:8400/issuers/github-actions' }),
      ]),
    );
    const app = [...directory.apps.values()].find((a) => a.name === 'CI app')!;
    assert.deepEqual(
      app.federatedCredentials.map((f) => f.audiences),
      [[EXCHANGE], [EXCHANGE], [EXCHANGE]],
    );
    const refused: [string, unknown, string, RegExp][] = [
      [
        '21 credentials',
        Array.from({ length: 21 }, (_, i) => fic(`c${i}x`)),
        'daemon',
        /at most 20|<=20|too_big|Too big/i,
      ],
      ['two audiences', [fic('two', { audiences: ['a', 'b'] })], 'daemon', /exactly one value/],
      ['a name too short', [fic('ab')], 'daemon', /3 to 120/],
      [
        'http issuer on another machine',
        [fic('plain', { issuer: 'http://ci.example/issuers/x/y' })],
        'daemon',
        /https/,
      ],
      ['not a URL', [fic('nourl', { issuer: 'github' })], 'daemon', /absolute URL/],
      ['names taken twice', [fic('same'), fic('SAME', { subject: 'other' })], 'daemon', /already used/],
      [
        'same issuer and subject twice',
        [fic('one'), fic('two', { subject: fic('one').subject })],
        'daemon',
        /same issuer and subject/,
      ],
      ['on a public client', [fic('public')], 'public', /public client cannot have/],
      ['an unknown field', [fic('extra', { audience: EXCHANGE })], 'daemon', /audience/],
    ];
    for (const [what, fics, type, message] of refused) {
      await assert.rejects(loadConfig(config(fics, type)), (err: Error) => {
        assert.match(err.message, message, `${what}: ${err.message}`);
        return true;
      });
    }
  });
});

describe('S135 sweep: the emulator makes outbound requests in one place only', () => {
  it('S135 every outbound request primitive in the emulator’s sources is boundedFetch (loopback, no redirects, bounded)', async () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
    /** Ways a module could reach another host; each allowed in the one file listed. */
    const primitives: [RegExp, string | undefined][] = [
      [/\bfetch\(/, join('federation', 'bounded-fetch.ts')],
      [/createRemoteJWKSet\(/, join('federation', 'issuer-keys.ts')],
      [/\[customFetch\]:(?!\s*boundedFetch\b)/, undefined],
      [/from 'undici'/, undefined],
      [/\b(?:http|https|net|tls)\.(?:request|get|connect)\(/, undefined],
      [
        /import\s*\{[^}]*\b(?:request|get|connect)\b[^}]*\}\s*from 'node:(?:http|https|net|tls|http2)'/,
        undefined,
      ],
    ];
    const found: string[] = [];
    for (const f of files) {
      const text = await readFile(join(src, f), 'utf8');
      for (const [re, allowed] of primitives)
        if (re.test(text) && f !== allowed) found.push(`${f}: ${re.source}`);
    }
    assert.deepEqual(found, []);
    const keys = await readFile(join(src, 'federation', 'issuer-keys.ts'), 'utf8');
    assert.match(keys, /\[customFetch\]: boundedFetch/, 'the JWKS is fetched through boundedFetch too');
  });
});
