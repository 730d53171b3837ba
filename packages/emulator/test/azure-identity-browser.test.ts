/**
 * @azure/identity's interactive credentials against the emulator over https, a person at the emulator's pages in
 * real headless Chromium:
 *   - DeviceCodeCredential: its `userPromptCallback` hands the user code to the test, which enters it at the
 *     verification URI and signs in;
 *   - InteractiveBrowserCredential: @azure/identity opens the sign-in page with the `open` package, which on Linux
 *     runs xdg-open, which on a machine without a desktop runs the program named in $BROWSER; that program hands
 *     the URL to the test. MSAL's loopback server (http://localhost, any port) receives the code.
 *     MSAL answers the code with a redirect to its server's root and stops listening once it has redeemed the code,
 *     so a browser slower than that redemption finds nothing there: the sign-in is still done (the code arrived).
 * Both built with `authorityHost` = the emulator and `disableInstanceDiscovery: true`, in a Node process whose
 * NODE_EXTRA_CA_CERTS trusts the emulator's CA. The emulator counts the token requests: a second getToken is
 * served from MSAL's cache (the credential keeps the account), as against Entra.
 */
import * as assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import {
  browserStub,
  cleanEnv,
  containment,
  type DeviceCodeInfo,
  type IdentityDriver,
  startIdentityDriver,
  startProxyTrap,
} from './azure-identity/harness.ts';
import type { Observed, TokenSummary } from './azure-identity/protocol.ts';
import { ARM_DEFAULT, GRAPH, GRAPH_DEFAULT, T, USER_READ } from './azure-identity/resources.ts';
import { type Person, type SignInTrace, signInAtEmulator } from './msal/browser-steps.ts';
import { launchBrowser } from './support/browser.ts';

/** The Azure CLI's app, @azure/identity's client id when none is given (its DeveloperSignOnClientId). */
const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
/** What `open` runs on Linux: the copy of xdg-open it ships. */
const OPENER = /\/node_modules\/open\/xdg-open$/;

let dir: string;
let e: RunningEmulator;
let trap: Awaited<ReturnType<typeof startProxyTrap>>;
let browser: Browser;
let driver: IdentityDriver;
let opened: Awaited<ReturnType<typeof browserStub>>;

/** Chromium trusts exactly the emulator's server key (there is no NSS database to add its CA to here). */
async function serverKeySpki(caCertFile: string): Promise<string> {
  const serverPem = await readFile(join(dirname(caCertFile), 'server.pem'), 'utf8');
  return createHash('sha256')
    .update(new X509Certificate(serverPem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenloop-azure-identity-browser-'));
  [e, trap, opened] = await Promise.all([
    startEmulator({ https: true, dataDir: join(dir, 'emulator'), settings: { deviceCodeInterval: 1 } }),
    startProxyTrap(),
    browserStub(dir),
  ]);
  [browser, driver] = await Promise.all([
    launchBrowser([`--ignore-certificate-errors-spki-list=${await serverKeySpki(e.caCertFile!)}`]),
    startIdentityDriver(opened.env(cleanEnv(containment(e.caCertFile!, trap.url, '127.0.0.1,localhost')))),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), driver?.close(), trap?.close(), e?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function person(name: string): Person {
  const u = e.directory().users.find((x) => x.username.startsWith(`${name}@`));
  assert.ok(u, `sample user ${name}`);
  return { username: u.username, password: u.password };
}

/** Runs `fn` with a fresh browser context (no emulator session from an earlier test). */
async function withContext<R>(fn: (c: BrowserContext) => Promise<R>): Promise<R> {
  const context = await browser.newContext();
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

/** Requests went to the emulator only, and nothing was meant for a host other than loopback. */
function assertEmulatorOnly(observed: Observed): void {
  for (const origin of observed.requests) assert.equal(origin, e.url, `a request to ${origin}`);
  assert.deepEqual(trap.targets, [], 'nothing was meant for a host other than loopback');
}

async function getToken(name: string, scopes: string[], timeoutMs?: number) {
  const { value, observed } = await driver.call({ op: 'getToken', name, scopes }, undefined, timeoutMs);
  assertEmulatorOnly(observed);
  assert.ok(value, 'getToken returned a token');
  return { token: value, observed };
}

/** The same scopes again: the same token from MSAL's cache, no request to the emulator. */
async function againFromCache(name: string, scopes: string[], first: TokenSummary): Promise<void> {
  const before = e.stats().token_requests;
  const { token, observed } = await getToken(name, scopes);
  assert.deepEqual(observed.requests, [], 'no request');
  assert.equal(token.claims.uti, first.claims.uti, 'the same access token, from the cache');
  assert.deepEqual(e.stats().token_requests, before, 'no token request');
}

function assertUserGraphToken(t: TokenSummary, userId: string, clientId: string): void {
  assert.equal(t.claims.aud, GRAPH);
  assert.equal(t.claims.tid, T);
  assert.equal(t.claims.oid, userId);
  assert.equal(t.claims.appid, clientId);
  assert.ok(String(t.claims.scp).split(' ').includes('User.Read'), `scp ${String(t.claims.scp)}`);
}

/**
 * Runs a getToken that needs a person at the browser: `browse(onPrompt)` starts it and hands `onPrompt` to whatever
 * learns where the browser must go. A failed sign-in fails the call at once (instead of MSAL polling or waiting
 * for its redirect until the call times out).
 */
async function withPerson<R>(
  run: (signIn: (url: string, who: Person, userCode?: string) => void) => Promise<R>,
  page: Page,
): Promise<{ result: R; trace: SignInTrace }> {
  let browsing: Promise<SignInTrace> | undefined;
  let failed: (err: unknown) => void = () => {};
  const browserFailed = new Promise<never>((_resolve, reject) => (failed = reject));
  const result = await Promise.race([
    run((url, who, userCode) => {
      browsing = signInAtEmulator(page, url, e.url, who, userCode);
      browsing.catch(failed);
    }),
    browserFailed,
  ]);
  assert.ok(browsing, 'the credential asked for a person at the browser');
  return { result, trace: await browsing };
}

/**
 * Holds every request of `page` to MSAL's loopback server (http://localhost, any port) but the one carrying the
 * code until `until` settles: the browser follows MSAL's redirect to its server's root only after MSAL has
 * redeemed the code, as a browser slower than that redemption does. Resolves with a promise of the first held
 * request's failure (Chromium's `net::…` text).
 */
async function holdLoopbackRoot(
  context: BrowserContext,
  page: Page,
  until: Promise<unknown>,
): Promise<{ failure: Promise<string> }> {
  const held = (url: string) => url.startsWith('http://localhost:') && !new URL(url).searchParams.has('code');
  const failure = page
    .waitForEvent('requestfailed', { predicate: (r) => held(r.url()), timeout: 20_000 })
    .then((r) => r.failure()?.errorText ?? 'no error text');
  failure.catch(() => {}); // awaited by the test; this only keeps an early rejection from going unhandled
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', (paused) => {
    void (held(paused.request.url) ? until : Promise.resolve())
      .then(() => cdp.send('Fetch.continueRequest', { requestId: paused.requestId }))
      .catch(() => {}); // the page is gone (the test failed or ended)
  });
  await cdp.send('Fetch.enable', {
    patterns: [{ urlPattern: 'http://localhost:*', requestStage: 'Request' }],
  });
  return { failure };
}

describe('@azure/identity interactive credentials against the emulator', { timeout: 60_000 }, () => {
  it('S111 DeviceCodeCredential with its defaults (organizations, the Azure CLI’s app): the code entered in Chromium', async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      // As users write it: no tenant, no client id.
      await driver.call({
        op: 'create',
        name: 'device',
        credential: { kind: 'DeviceCodeCredential', authorityHost: e.url },
      });
      e.resetStats();
      let info: DeviceCodeInfo | undefined;
      const { result, trace } = await withPerson(
        (signIn) =>
          driver.call({ op: 'getToken', name: 'device', scopes: [ARM_DEFAULT] }, (i) => {
            info = i;
            signIn(i.verificationUri, person('bob'), i.userCode);
          }),
        page,
      );
      assert.ok(info, 'userPromptCallback ran');
      assert.equal(info.verificationUri, `${e.url}/devicelogin`);
      assert.ok(info.message.includes(info.userCode), 'the message names the code');
      assert.deepEqual(trace.seen, [
        'Enter code',
        'Sign in',
        'Are you trying to sign in to Microsoft Azure CLI?',
        'Signed in',
      ]);
      const { value, observed } = result;
      assertEmulatorOnly(observed);
      assert.ok(value, 'a token');
      assert.equal(value.claims.aud, 'https://management.azure.com');
      assert.equal(value.claims.tid, T, 'bob’s tenant (he signed in at organizations)');
      assert.equal(value.claims.oid, SAMPLE_IDS.bob);
      assert.equal(value.claims.appid, AZURE_CLI);
      assert.equal(value.claims.scp, 'user_impersonation');
      const polls = e.stats().token_requests.device_code?.[AZURE_CLI] ?? 0;
      assert.ok(polls >= 1, 'MSAL polled');
      assert.deepEqual(e.stats().token_requests, { device_code: { [AZURE_CLI]: polls } }, 'only polls');
      await againFromCache('device', [ARM_DEFAULT], value);

      // Another resource: no second device code; MSAL redeems the (multi-resource) refresh token once.
      e.resetStats();
      const { token: graph } = await getToken('device', [GRAPH_DEFAULT]);
      assert.equal(graph.claims.aud, GRAPH);
      assert.equal(graph.claims.oid, SAMPLE_IDS.bob);
      assert.equal(graph.claims.appid, AZURE_CLI);
      assert.deepEqual(e.stats().token_requests, { refresh_token: { [AZURE_CLI]: 1 } }, 'one refresh');
      await againFromCache('device', [GRAPH_DEFAULT], graph);
    });
  });

  /** An InteractiveBrowserCredential of the public sample app at the emulator, in the driver, as `name`. */
  const createBrowserCredential = (name: string) =>
    driver.call({
      op: 'create',
      name,
      credential: {
        kind: 'InteractiveBrowserCredential',
        tenantId: T,
        clientId: SAMPLE_IDS.publicApp,
        authorityHost: e.url,
      },
    });

  it('S110 InteractiveBrowserCredential: $BROWSER hands the sign-in page to Chromium, MSAL’s loopback gets the code', async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await createBrowserCredential('browser');
      e.resetStats();
      const url = opened.nextUrl();
      const { result, trace } = await withPerson(async (signIn) => {
        const call = driver.call({ op: 'getToken', name: 'browser', scopes: [USER_READ] });
        signIn(await url, person('alice'));
        return call;
      }, page);
      const start = new URL(await url);
      assert.equal(`${start.origin}${start.pathname}`, `${e.url}/${T}/oauth2/v2.0/authorize`);
      const redirectUri = start.searchParams.get('redirect_uri') ?? '';
      assert.match(redirectUri, /^http:\/\/localhost:\d+$/, 'MSAL’s loopback server');
      assert.equal(start.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(start.searchParams.get('prompt'), 'select_account');
      assert.deepEqual(trace.seen, ['Sign in', 'Permissions requested']);
      assert.equal(trace.arrivals[0], `GET ${redirectUri}/`, 'the code went to MSAL’s loopback server');
      const { value, observed } = result;
      assert.ok(value, 'a token');
      assertEmulatorOnly(observed);
      assert.equal(observed.spawned.length, 1, 'one program started');
      assert.match(observed.spawned[0]!, OPENER, 'the page was opened through the open package’s xdg-open');
      assertUserGraphToken(value, SAMPLE_IDS.alice, SAMPLE_IDS.publicApp);
      assert.deepEqual(e.stats().token_requests, { authorization_code: { [SAMPLE_IDS.publicApp]: 1 } });
      await againFromCache('browser', [USER_READ], value);
    });
  });

  it('S110 InteractiveBrowserCredential: a browser that reaches MSAL’s loopback root only after MSAL redeemed the code and stopped listening', async () => {
    await withContext(async (context) => {
      const page = await context.newPage();
      await createBrowserCredential('slow-browser');
      e.resetStats();
      let redeemed: () => void = () => {};
      const root = await holdLoopbackRoot(context, page, new Promise<void>((r) => (redeemed = r)));
      const url = opened.nextUrl();
      const { result, trace } = await withPerson(async (signIn) => {
        const call = driver.call({ op: 'getToken', name: 'slow-browser', scopes: [USER_READ] });
        call.then(redeemed, redeemed);
        signIn(await url, person('bob')); // not alice, who consented in the test before
        return call;
      }, page);
      const redirectUri = new URL(await url).searchParams.get('redirect_uri') ?? '';
      assert.deepEqual(trace.seen, ['Sign in', 'Permissions requested']);
      assert.deepEqual(
        trace.arrivals.slice(0, 2),
        [`GET ${redirectUri}/`, `GET ${redirectUri}/`],
        'the code, then MSAL’s redirect',
      );
      assert.equal(await root.failure, 'net::ERR_CONNECTION_REFUSED', 'nothing listened there any more');
      const { value, observed } = result;
      assert.ok(value, 'a token');
      assertEmulatorOnly(observed);
      assertUserGraphToken(value, SAMPLE_IDS.bob, SAMPLE_IDS.publicApp);
      assert.deepEqual(e.stats().token_requests, { authorization_code: { [SAMPLE_IDS.publicApp]: 1 } });
    });
  });
});
