/**
 * Microsoft's own @azure/identity against the emulator over https, as an Azure SDK app uses it, in Node processes
 * whose NODE_EXTRA_CA_CERTS trusts the emulator's local CA:
 *   - ClientSecretCredential, ClientCertificateCredential, UsernamePasswordCredential and OnBehalfOfCredential built
 *     as @azure/identity documents them, with `authorityHost` = the emulator and `disableInstanceDiscovery: true`;
 *   - EnvironmentCredential and DefaultAzureCredential configured by AZURE_TENANT_ID, AZURE_CLIENT_ID,
 *     AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, and AZURE_AUTHORITY_HOST, in a process of their own
 *     with nothing else in its environment (no PATH to an `az`, an empty HOME), built as docs/azure-sdk.md shows;
 *   - `new DefaultAzureCredential()` with no options: MSAL first asks login.microsoftonline.com about the authority;
 *   - S111: the first-party apps @azure/identity uses by default are in every directory.
 * Each test counts the token requests that reached the emulator: a second getToken is served from MSAL's cache,
 * as it is against Entra. The children start no program and send anything not meant for the emulator to a proxy
 * trap of this file: nothing leaves the machine. Device code and browser sign-in: azure-identity-browser.test.ts.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createSelfSignedKey,
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  startEmulator,
} from '../src/index.ts';
import { firstPartyApps } from '../src/directory/first-party.ts';
import { loadConfig, loadSample } from '../src/directory/load.ts';
import {
  containment,
  type IdentityDriver,
  startContainedDriver,
  startIdentityDriver,
  startProxyTrap,
} from './azure-identity/harness.ts';
import type { CredentialSpec, Observed, TokenSummary } from './azure-identity/protocol.ts';
import { ARM_DEFAULT, GRAPH, GRAPH_DEFAULT, T, USER_READ } from './azure-identity/resources.ts';

const API = `api://${SAMPLE_IDS.apiApp}`;
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const OBO_GRANT = 'jwt-bearer'; // the emulator's stats name urn:ietf:params:oauth:grant-type:jwt-bearer so

let dir: string;
let e: RunningEmulator;
let trap: Awaited<ReturnType<typeof startProxyTrap>>;
let driver: IdentityDriver;
let names = 0;
/** A public client for the password grant, every permission admin-consented (as test automation registers it). */
let ropcApp: string;
/** A daemon whose credential is a certificate; its PEM (certificate and key) as @azure/identity reads it. */
let certApp: { clientId: string; pem: string; pemFile: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenloop-azure-identity-'));
  [e, trap] = await Promise.all([
    startEmulator({ https: true, dataDir: join(dir, 'emulator') }),
    startProxyTrap(),
  ]);
  const [d, key] = await Promise.all([
    startContainedDriver(e.caCertFile!, trap.url),
    createSelfSignedKey('tokenloop azure-identity test'),
    mkdir(join(dir, 'empty')),
  ]);
  driver = d;
  const pem = `${key.certificatePem.trim()}\n${key.privateKeyPem.trim()}\n`;
  const pemFile = join(dir, 'client-certificate.pem');
  await writeFile(pemFile, pem, { mode: 0o600 });
  certApp = {
    clientId: e.addApp({
      name: 'Certificate daemon',
      type: 'daemon',
      tenant: T,
      certificates: [key.certificatePem],
      applicationPermissions: { [GRAPH]: ['User.Read.All'] },
    }).clientId,
    pem,
    pemFile,
  };
  ropcApp = e.addApp({
    name: 'Test automation (password grant)',
    type: 'public',
    tenant: T,
    redirectUris: ['http://localhost'],
    delegatedPermissions: { [GRAPH]: ['User.Read'], [API]: ['access_as_user'] },
    adminConsented: true,
  }).clientId;
});

after(async () => {
  await Promise.allSettled([driver?.close(), trap?.close(), e?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The child talked to the emulator only (at least once when `requests`), and started nothing. */
function assertLoopbackOnly(observed: Observed, requests = true): void {
  if (requests) assert.ok(observed.requests.length > 0, 'requests reached the emulator');
  for (const origin of observed.requests) assert.equal(origin, e.url, `a request to ${origin}`);
  assert.deepEqual(observed.spawned, [], 'started no program');
  assert.deepEqual(trap.targets, [], 'nothing was meant for a host other than loopback');
}

async function create(d: IdentityDriver, credential: CredentialSpec): Promise<string> {
  const name = `credential-${++names}`;
  const { observed } = await d.call({ op: 'create', name, credential });
  assertLoopbackOnly(observed, credential.kind === 'OnBehalfOfCredential');
  return name;
}

async function getToken(
  d: IdentityDriver,
  name: string,
  scopes: string[],
  requests: boolean,
): Promise<TokenSummary> {
  const { value, observed } = await d.call({ op: 'getToken', name, scopes });
  assertLoopbackOnly(observed, requests);
  assert.ok(value, 'getToken returned a token');
  return value;
}

/**
 * getToken twice with the same scopes: the first reaches the emulator's token endpoint once (`grant`, `clientId`),
 * the second is the same token from MSAL's cache, without a request.
 */
async function twiceFromCache(
  d: IdentityDriver,
  name: string,
  scopes: string[],
  grant: string,
  clientId: string,
): Promise<TokenSummary> {
  e.resetStats();
  const first = await getToken(d, name, scopes, true);
  const once = { [grant]: { [clientId]: 1 } };
  assert.deepEqual(e.stats().token_requests, once, 'one token request');
  const second = await getToken(d, name, scopes, false);
  assert.equal(second.claims.uti, first.claims.uti, 'the same access token, from the cache');
  assert.equal(second.expiresOnTimestamp, first.expiresOnTimestamp);
  assert.deepEqual(e.stats().token_requests, once, 'no second token request');
  assert.equal(first.tokenType, 'Bearer');
  const minutes = (first.expiresOnTimestamp - Date.now()) / 60_000;
  assert.ok(minutes > 55 && minutes <= 60, `expires in about an hour (${minutes.toFixed(1)} min)`);
  return first;
}

/** An app-only Graph token of contoso (v1, as Graph's are) for `clientId` with Graph's `User.Read.All` role. */
function assertGraphAppToken(t: TokenSummary, clientId: string): void {
  assert.equal(t.claims.iss, `${e.url}/${T}/`);
  assert.equal(t.claims.aud, GRAPH);
  assert.equal(t.claims.tid, T);
  assert.equal(t.claims.appid, clientId);
  assert.equal(t.claims.idtyp, 'app');
  assert.deepEqual(t.claims.roles, ['User.Read.All']);
  assert.equal(t.header.alg, 'RS256');
}

/** A delegated Graph token of alice for `clientId` with `User.Read`. */
function assertAliceGraphToken(t: TokenSummary, clientId: string): void {
  assert.equal(t.claims.aud, GRAPH);
  assert.equal(t.claims.tid, T);
  assert.equal(t.claims.oid, SAMPLE_IDS.alice);
  assert.equal(t.claims.appid, clientId);
  assert.equal(t.claims.idtyp, 'user');
  assert.ok(String(t.claims.scp).split(' ').includes('User.Read'), `scp ${String(t.claims.scp)}`);
}

/** A child configured by the environment alone: these AZURE_* variables, the CA, no PATH to a program, no HOME. */
function environmentOnly(vars: Record<string, string>): Promise<IdentityDriver> {
  return startIdentityDriver({
    PATH: join(dir, 'empty'),
    HOME: join(dir, 'empty'),
    ...containment(e.caCertFile!, trap.url),
    AZURE_AUTHORITY_HOST: e.url,
    AZURE_TENANT_ID: T,
    ...vars,
  });
}

describe('@azure/identity against the emulator', { timeout: 60_000 }, () => {
  it('S110 ClientSecretCredential: one client-credentials request, the second getToken from MSAL’s cache', async () => {
    const name = await create(driver, {
      kind: 'ClientSecretCredential',
      tenantId: T,
      clientId: SAMPLE_IDS.daemonApp,
      clientSecret: SAMPLE_SECRETS.daemonApp,
      authorityHost: e.url,
    });
    const t = await twiceFromCache(driver, name, [GRAPH_DEFAULT], 'client_credentials', SAMPLE_IDS.daemonApp);
    assertGraphAppToken(t, SAMPLE_IDS.daemonApp);
  });

  it('S110 ClientCertificateCredential: the app’s registered certificate, with and without the chain (x5c)', async () => {
    for (const sendCertificateChain of [false, true]) {
      const name = await create(driver, {
        kind: 'ClientCertificateCredential',
        tenantId: T,
        clientId: certApp.clientId,
        certificatePem: certApp.pem,
        sendCertificateChain,
        authorityHost: e.url,
      });
      const t = await twiceFromCache(driver, name, [GRAPH_DEFAULT], 'client_credentials', certApp.clientId);
      assertGraphAppToken(t, certApp.clientId);
    }
  });

  it('S110 UsernamePasswordCredential: one password-grant request, then the cached token', async () => {
    const name = await create(driver, {
      kind: 'UsernamePasswordCredential',
      tenantId: T,
      clientId: ropcApp,
      ...ALICE,
      authorityHost: e.url,
    });
    const t = await twiceFromCache(driver, name, [USER_READ], 'password', ropcApp);
    assertAliceGraphToken(t, ropcApp);
  });

  it('S110 OnBehalfOfCredential: the sample API trades alice’s token for Graph once, then from the cache', async () => {
    const user = await create(driver, {
      kind: 'UsernamePasswordCredential',
      tenantId: T,
      clientId: ropcApp,
      ...ALICE,
      authorityHost: e.url,
    });
    // Creating the middle tier's credential fetches the user's token for the API (the assertion it receives).
    e.resetStats();
    const name = await create(driver, {
      kind: 'OnBehalfOfCredential',
      tenantId: T,
      clientId: SAMPLE_IDS.apiApp,
      clientSecret: SAMPLE_SECRETS.apiApp,
      userAssertionFrom: { credential: user, scopes: [`${API}/access_as_user`] },
      authorityHost: e.url,
    });
    assert.deepEqual(e.stats().token_requests, { password: { [ropcApp]: 1 } });
    const t = await twiceFromCache(driver, name, [USER_READ], OBO_GRANT, SAMPLE_IDS.apiApp);
    assertAliceGraphToken(t, SAMPLE_IDS.apiApp);
  });

  it('S110 EnvironmentCredential from AZURE_CLIENT_CERTIFICATE_PATH and AZURE_AUTHORITY_HOST alone', async () => {
    const d = await environmentOnly({
      AZURE_CLIENT_ID: certApp.clientId,
      AZURE_CLIENT_CERTIFICATE_PATH: certApp.pemFile,
    });
    try {
      const name = await create(d, { kind: 'EnvironmentCredential', options: 'documented' });
      const t = await twiceFromCache(d, name, [GRAPH_DEFAULT], 'client_credentials', certApp.clientId);
      assertGraphAppToken(t, certApp.clientId);
    } finally {
      await d.close();
    }
  });

  it('S111 every directory holds Microsoft’s first-party apps, unless its config registers the same client id', async () => {
    const own = { tenants: [{ domain: 'example.onmicrosoft.com' }] };
    for (const app of firstPartyApps()) {
      const id = app.clientId!;
      for (const { directory } of [loadSample(), await loadConfig(own)]) {
        const registered = directory.apps.get(id);
        assert.ok(registered, `${app.name} is in the directory`);
        assert.equal(registered.name, app.name);
        assert.equal(registered.signInAudience, 'AzureADMultipleOrgs', 'every tenant’s users sign in to it');
        assert.equal(registered.adminConsented, true, 'pre-authorized: no consent page');
        assert.equal(registered.credentials.length, 0, 'a public client');
      }
      const mine = await loadConfig({ ...own, apps: [{ clientId: id, name: 'Mine', type: 'public' }] });
      assert.equal(mine.directory.apps.get(id)?.name, 'Mine', 'the config’s own registration stands');
    }
  });

  it('S111 @azure/identity signs users of every tenant in to each first-party app at organizations', async () => {
    const users = e.directory().users;
    for (const app of firstPartyApps()) {
      for (const tenant of e.directory().tenants) {
        const user = users.find((u) => u.tenantId === tenant.id);
        assert.ok(user, `a user of ${tenant.domain}`);
        const name = await create(driver, {
          kind: 'UsernamePasswordCredential',
          tenantId: 'organizations',
          clientId: app.clientId!,
          username: user.username,
          password: user.password,
          authorityHost: e.url,
        });
        const t = await twiceFromCache(driver, name, [ARM_DEFAULT], 'password', app.clientId!);
        assert.equal(t.claims.appid, app.clientId);
        assert.equal(t.claims.tid, tenant.id, 'the user’s own tenant');
        assert.equal(t.claims.oid, user.id);
        assert.equal(t.claims.aud, 'https://management.azure.com');
      }
    }
  });

  describe('DefaultAzureCredential from AZURE_CLIENT_SECRET and AZURE_AUTHORITY_HOST alone', () => {
    let d: IdentityDriver;
    before(async () => {
      d = await environmentOnly({
        AZURE_CLIENT_ID: SAMPLE_IDS.daemonApp,
        AZURE_CLIENT_SECRET: SAMPLE_SECRETS.daemonApp,
        AZURE_LOG_LEVEL: 'info',
      });
    });
    after(() => d?.close());

    it('S110 DefaultAzureCredential: EnvironmentCredential answers, no other credential of the chain runs', async () => {
      const name = await create(d, { kind: 'DefaultAzureCredential', options: 'documented' });
      const t = await twiceFromCache(d, name, [GRAPH_DEFAULT], 'client_credentials', SAMPLE_IDS.daemonApp);
      assertGraphAppToken(t, SAMPLE_IDS.daemonApp);
      // @azure/identity's own log (AZURE_LOG_LEVEL=info) names the credential that answered the chain.
      const log = d.stderr();
      assert.ok(log.includes('Result for EnvironmentCredential: SUCCESS'), 'EnvironmentCredential answered');
      for (const other of ['ManagedIdentityCredential', 'AzureCliCredential', 'AzureDeveloperCliCredential'])
        assert.ok(!log.includes(`Result for ${other}`), `${other} was not tried`);
    });

    // Runs last in this child: its getToken is left unanswered (MSAL retries the trapped request) and ends with it.
    it('S110 new DefaultAzureCredential() without options: MSAL first asks login.microsoftonline.com about the authority', async () => {
      const name = await create(d, { kind: 'DefaultAzureCredential', options: 'none' });
      e.resetStats();
      const seen = trap.next();
      d.call({ op: 'getToken', name, scopes: [GRAPH_DEFAULT] }).catch(() => {}); // ended with the child
      assert.equal(await seen, 'CONNECT login.microsoftonline.com:443', 'instance discovery at Entra');
      assert.deepEqual(e.stats().token_requests, {}, 'nothing reached the emulator');
      await d.close();
      trap.targets.length = 0;
    });
  });
});
