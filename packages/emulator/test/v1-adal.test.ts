/**
 * A real ADAL-era client against the emulator's v1 endpoints: ADAL for Node (`adal-node` 0.2.4, its last
 * release; Microsoft ended ADAL's support in 2023, the package installs cleanly and its engines hold). ADAL
 * takes https authorities only, so the emulator runs with `--https`, and ADAL's requests trust exactly the
 * emulator's local CA (its `options.http` goes to its HTTP client) and use no proxy.
 * What ADAL makes of the v1 answers is the proof: it reads `expires_in` and `expires_on` as strings, takes the
 * user from the unsigned v1 ID token, serves `acquireToken` from its cache, and treats a refresh token that
 * came with `resource` as multi-resource.
 */
import * as assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuthenticationContext, MemoryCache, type TokenResponse } from 'adal-node';
import { Agent, fetch as undiciFetch } from 'undici';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { claimsOf } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const LEGACY_API = {
  clientId: '9a4c2e10-3b5d-4f6e-8a7b-1c2d3e4f5a01',
  uri: 'https://legacy-api.contoso.example/',
};
const WEB_SECRET = 'adal-web-app-secret-01';
const REDIRECT = 'http://127.0.0.1:1/';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };

let dataDir: string | undefined;
let e: RunningEmulator;
let agent: HttpsAgent;
let dispatcher: Agent;
let publicClient: string;
let webClient: string;

before(
  async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tokenloop-adal-'));
    e = await startEmulator({ https: true, dataDir, autoLogin: 'alice' });
    const ca = await readFile(e.caCertFile!, 'utf8');
    agent = new HttpsAgent({ ca });
    dispatcher = new Agent({ connect: { ca } });
    e.addApp({
      clientId: LEGACY_API.clientId,
      name: 'Legacy v1 API',
      type: 'api',
      tenant: T,
      appIdUri: LEGACY_API.uri,
      accessTokenVersion: 1,
      scopes: [{ value: 'user_impersonation', description: 'Access the legacy API as you' }],
    });
    publicClient = e.addApp({
      name: 'ADAL desktop app',
      type: 'public',
      tenant: T,
      redirectUris: ['http://127.0.0.1'],
      allowPublicClientFlows: true,
      delegatedPermissions: { [GRAPH]: ['User.Read'], [LEGACY_API.uri]: ['user_impersonation'] },
      adminConsented: true,
    }).clientId;
    webClient = e.addApp({
      name: 'ADAL web app',
      type: 'web',
      tenant: T,
      secret: WEB_SECRET,
      redirectUris: [REDIRECT],
      delegatedPermissions: { [GRAPH]: ['User.Read'] },
      adminConsented: true,
    }).clientId;
  },
  { timeout: 60_000 },
);

after(async () => {
  agent?.destroy();
  await dispatcher?.close();
  await e?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** An ADAL context for the tenant with a cache of its own, trusting only the emulator's CA, no proxy. */
function adal(tenant = T): AuthenticationContext {
  const context = new AuthenticationContext(`${e.url}/${tenant}`, false, new MemoryCache());
  context.options = { http: { httpsAgent: agent, proxy: false, timeout: 10_000 } };
  return context;
}

type Acquire = (callback: (error: Error, response: unknown) => void) => void;

/** ADAL's callback as a promise: its token response, or its error with the server's answer. */
function call(acquire: Acquire): Promise<TokenResponse> {
  return new Promise((resolve, reject) => {
    acquire((error, response) => {
      if (error) reject(Object.assign(error, { response }));
      else resolve(response as TokenResponse);
    });
  });
}

/** Token-endpoint requests of `clientId` so far, all grants. */
function tokenRequests(clientId: string): number {
  let n = 0;
  for (const byClient of Object.values(e.stats().token_requests)) n += byClient[clientId] ?? 0;
  return n;
}

describe('adal-node against the v1 endpoints', { timeout: 60_000 }, () => {
  it('acquireTokenWithClientCredentials: an app-only v1 token for Graph; ADAL reads the v1 answer', async () => {
    const r = await call((cb) =>
      adal().acquireTokenWithClientCredentials(GRAPH, SAMPLE_IDS.daemonApp, SAMPLE_SECRETS.daemonApp, cb),
    );
    assert.equal(r.tokenType, 'Bearer');
    assert.equal(r.resource, GRAPH);
    assert.equal(typeof r.expiresIn, 'number');
    assert.ok(r.expiresOn instanceof Date && r.expiresOn.getTime() > Date.now());
    const claims = claimsOf(r.accessToken);
    assert.equal(claims.ver, '1.0');
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.appid, SAMPLE_IDS.daemonApp);
    assert.deepEqual(claims.roles, ['User.Read.All']);
  });

  it('acquireTokenWithUsernamePassword (user realm, then the password grant): the user from the v1 ID token; acquireToken served from ADAL’s cache; the multi-resource refresh token gets another resource with one request', async () => {
    const context = adal();
    const signIn = await call((cb) =>
      context.acquireTokenWithUsernamePassword(GRAPH, ALICE.username, ALICE.password, publicClient, cb),
    );
    assert.equal(signIn.userId, ALICE.username);
    assert.equal(signIn.isUserIdDisplayable, true);
    assert.equal(signIn.tenantId, T);
    assert.equal(signIn.oid, SAMPLE_IDS.alice);
    assert.equal(claimsOf(signIn.accessToken).aud, GRAPH);
    assert.equal(typeof signIn.refreshToken, 'string');
    assert.equal(signIn.isMRRT, true, 'ADAL keeps the refresh token as multi-resource');
    const before = tokenRequests(publicClient);
    const cached = await call((cb) => context.acquireToken(GRAPH, ALICE.username, publicClient, cb));
    assert.equal(cached.accessToken, signIn.accessToken, 'served from the cache');
    assert.equal(tokenRequests(publicClient), before, 'no token request');
    const other = await call((cb) => context.acquireToken(LEGACY_API.uri, ALICE.username, publicClient, cb));
    const claims = claimsOf(other.accessToken);
    assert.equal(claims.aud, LEGACY_API.uri);
    assert.equal(claims.scp, 'user_impersonation');
    assert.equal(claims.upn, ALICE.username);
    assert.equal(tokenRequests(publicClient), before + 1, 'exactly one refresh');
    const again = await call((cb) => context.acquireToken(LEGACY_API.uri, ALICE.username, publicClient, cb));
    assert.equal(again.accessToken, other.accessToken);
    assert.equal(tokenRequests(publicClient), before + 1, 'the new token is cached too');
  });

  it('acquireTokenWithAuthorizationCode: a web app redeems the code from /oauth2/authorize', async () => {
    const url = new URL(`${e.url}/${T}/oauth2/authorize`);
    url.search = new URLSearchParams({
      client_id: webClient,
      response_type: 'code',
      redirect_uri: REDIRECT,
      resource: GRAPH,
    }).toString();
    const res = await undiciFetch(url, {
      dispatcher,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    const code = new URL(res.headers.get('location') ?? REDIRECT).searchParams.get('code');
    assert.ok(code, `a code (${res.status})`);
    const r = await call((cb) =>
      adal().acquireTokenWithAuthorizationCode(code, REDIRECT, GRAPH, webClient, WEB_SECRET, cb),
    );
    assert.equal(r.userId, ALICE.username);
    const claims = claimsOf(r.accessToken);
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.appid, webClient);
    assert.equal(claims.appidacr, '1');
  });

  it('a wrong password is ADAL’s error carrying Entra’s answer (invalid_grant, AADSTS50126)', async () => {
    await assert.rejects(
      call((cb) => adal().acquireTokenWithUsernamePassword(GRAPH, ALICE.username, 'wrong', publicClient, cb)),
      (err: Error & { response?: { error?: string; error_description?: string } }) => {
        assert.equal(err.response?.error, 'invalid_grant');
        assert.match(String(err.response?.error_description), /^AADSTS50126:/);
        return true;
      },
    );
  });
});
