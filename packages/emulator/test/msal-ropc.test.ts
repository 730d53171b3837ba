/**
 * Resource owner password credentials (`grant_type=password`) as test automation uses it: msal-node's
 * acquireTokenByUsernamePassword (public and confidential clients) and MSAL Python's
 * acquire_token_by_username_password, against the https emulator. What each library makes of Entra's answers
 * is part of the proof: MSAL decides from `error` and `suberror` whether interaction is required.
 * Entra's rules (docs/emulator-fidelity.md): work and school accounts only — refused on /common and /consumers
 * with AADSTS9001023; wrong password AADSTS50126; unknown user AADSTS50034 (suberror bad_token); disabled
 * user AADSTS50057; MFA required AADSTS50076 (suberror basic_action); no consent AADSTS65001; a public client
 * needs "Allow public client flows" (AADSTS7000218).
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import { registerCacheTestApp, removeSharedCa, sharedCa, TENANT } from './msal/cache-cases.ts';
import { type DriverCallError, type MsalDriver, startMsalDriver } from './msal/harness.ts';
import type { TokenSummary } from './msal/protocol.ts';
import { type MsalPython, type PythonResult, startMsalPython } from './msal/python-harness.ts';

const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const BOB = { username: 'bob@contoso.onmicrosoft.com', password: 'bob-password-1' };
const DORA = { username: 'dora@contoso.onmicrosoft.com', password: 'dora-password-1' };
const TEST = { timeout: 120_000 };

let dataDir: string | undefined;
let driver: MsalDriver;
let python: MsalPython;
let e: RunningEmulator;
let publicClient: string;
let names = 0;

before(async () => {
  const ca = await sharedCa();
  dataDir = ca.dataDir;
  [driver, python] = await Promise.all([startMsalDriver(ca.caCertFile), startMsalPython(ca.caCertFile)]);
  e = await startEmulator({ https: true, dataDir });
  publicClient = registerCacheTestApp(e);
  e.addUser({ username: DORA.username, password: DORA.password, scenarios: { disabled: true } });
  e.setScenarios({ user: BOB.username }, { mfaRequired: true });
});

after(async () => {
  await Promise.allSettled([driver?.close(), python?.close(), e?.close()]);
  await removeSharedCa(dataDir);
});

async function nodeApp(clientId: string, tenant: string, secret?: string): Promise<string> {
  const name = `ropc-${++names}`;
  await driver.call({
    op: 'createApp',
    app: {
      name,
      kind: secret ? 'confidential' : 'public',
      clientId,
      authority: `${e.url}/${tenant}`,
      ...(secret ? { clientSecret: secret } : {}),
    },
  });
  return name;
}

function nodeSignIn(app: string, who: { username: string; password: string }, scopes = ['User.Read']) {
  return driver.call<TokenSummary>({ op: 'signInByPassword', app, scopes, ...who });
}

/** Asserts how msal-node reports a refused password grant. */
async function refusedInNode(
  call: Promise<unknown>,
  expected: { name: string; errorCode: string; subError?: string; aadsts: number },
): Promise<void> {
  await assert.rejects(call, (err: DriverCallError) => {
    assert.equal(err.errorName, expected.name, err.message);
    assert.equal(err.errorCode, expected.errorCode);
    assert.equal(err.subError ?? undefined, expected.subError);
    assert.match(err.message, new RegExp(`AADSTS${expected.aadsts}:`));
    return true;
  });
}

async function pythonSignIn(
  tenant: string,
  who: { username: string; password: string },
  clientId = publicClient,
): Promise<PythonResult> {
  const name = `ropc-py-${++names}`;
  await python.call({ op: 'createApp', name, clientId, authority: `${e.url}/${tenant}` });
  return python.call({ op: 'signIn', name, flow: 'ropc', scopes: ['User.Read'], ...who });
}

describe('resource owner password credentials with msal-node and MSAL Python', () => {
  it(
    'msal-node: a confidential client signs a user in with username and password (appidacr 1)',
    TEST,
    async () => {
      const web = e.addApp({
        name: 'ROPC web app',
        type: 'web',
        tenant: TENANT,
        secret: 'ropc-web-secret-0001',
        redirectUris: ['https://app.example.com/cb'],
        delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'] },
        adminConsented: true,
      });
      const app = await nodeApp(web.clientId, TENANT, 'ropc-web-secret-0001');
      const r = await nodeSignIn(app, ALICE);
      assert.equal(r.account?.username, ALICE.username);
      assert.equal(r.accessToken?.claims.aud, 'https://graph.microsoft.com');
      assert.equal(r.accessToken?.claims.appid, web.clientId);
      assert.equal(r.accessToken?.claims.appidacr, '1', 'the client authenticated with its secret');
      assert.equal(r.idToken?.verified, true, r.idToken?.error);
    },
  );

  it(
    'msal-node: a public client signs in on /organizations; the token is for the user’s tenant',
    TEST,
    async () => {
      const r = await nodeSignIn(await nodeApp(publicClient, 'organizations'), ALICE);
      assert.equal(r.tenantId, TENANT);
      assert.equal(r.accessToken?.claims.appidacr, '0');
      assert.equal(r.accessToken?.claims.oid, SAMPLE_IDS.alice);
    },
  );

  it(
    'msal-node: wrong password, unknown user, disabled user and required MFA are refused as Entra refuses them',
    TEST,
    async () => {
      const app = await nodeApp(publicClient, TENANT);
      await refusedInNode(nodeSignIn(app, { ...ALICE, password: 'not-the-password' }), {
        name: 'ServerError',
        errorCode: 'invalid_grant',
        aadsts: 50126,
      });
      await refusedInNode(nodeSignIn(app, { username: 'nobody@contoso.onmicrosoft.com', password: 'x' }), {
        name: 'InteractionRequiredAuthError',
        errorCode: 'invalid_grant',
        subError: 'bad_token',
        aadsts: 50034,
      });
      await refusedInNode(nodeSignIn(app, DORA), {
        name: 'ServerError',
        errorCode: 'invalid_grant',
        aadsts: 50057,
      });
      await refusedInNode(nodeSignIn(app, BOB), {
        name: 'InteractionRequiredAuthError',
        errorCode: 'invalid_grant',
        subError: 'basic_action',
        aadsts: 50076,
      });
      // A user of another tenant does not exist in this one.
      await refusedInNode(
        nodeSignIn(app, { username: 'carol@fabrikam.onmicrosoft.com', password: 'carol-password-1' }),
        {
          name: 'InteractionRequiredAuthError',
          errorCode: 'invalid_grant',
          subError: 'bad_token',
          aadsts: 50034,
        },
      );
    },
  );

  it('msal-node: refused for personal-account authorities (/consumers) and on /common', TEST, async () => {
    for (const tenant of ['consumers', 'common']) {
      await refusedInNode(nodeSignIn(await nodeApp(publicClient, tenant), ALICE), {
        name: 'ServerError',
        errorCode: 'invalid_request',
        aadsts: 9001023,
      });
    }
  });

  it(
    'msal-node: without consent the grant asks for interaction (AADSTS65001 consent_required)',
    TEST,
    async () => {
      // The sample native app has no admin consent, and alice never consented to it in this emulator.
      await refusedInNode(nodeSignIn(await nodeApp(SAMPLE_IDS.publicApp, TENANT), ALICE), {
        name: 'InteractionRequiredAuthError',
        errorCode: 'invalid_grant',
        subError: 'consent_required',
        aadsts: 65001,
      });
    },
  );

  it(
    'msal-node: a public client without "Allow public client flows" is refused (AADSTS7000218)',
    TEST,
    async () => {
      const closed = e.addApp({
        name: 'ROPC closed public app',
        type: 'public',
        tenant: TENANT,
        allowPublicClientFlows: false,
        delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'] },
        adminConsented: true,
      });
      await refusedInNode(nodeSignIn(await nodeApp(closed.clientId, TENANT), ALICE), {
        name: 'ServerError',
        errorCode: 'invalid_client',
        aadsts: 7000218,
      });
    },
  );

  it(
    'MSAL Python: signs in with username and password; refusals carry Entra’s error, codes and suberror',
    TEST,
    async () => {
      const okResult = await pythonSignIn(TENANT, ALICE);
      assert.equal(okResult.error, undefined, okResult.description);
      assert.equal(okResult.aud, 'https://graph.microsoft.com');
      assert.equal(okResult.oid, SAMPLE_IDS.alice);
      const cases: [string, { username: string; password: string }, PythonResult][] = [
        [TENANT, { ...ALICE, password: 'wrong' }, { error: 'invalid_grant', error_codes: [50126] }],
        [TENANT, BOB, { error: 'invalid_grant', error_codes: [50076], suberror: 'basic_action' }],
        [TENANT, DORA, { error: 'invalid_grant', error_codes: [50057] }],
        [
          TENANT,
          { username: 'nobody@contoso.onmicrosoft.com', password: 'x' },
          { error: 'invalid_grant', error_codes: [50034], suberror: 'bad_token' },
        ],
        ['consumers', ALICE, { error: 'invalid_request', error_codes: [9001023] }],
      ];
      for (const [tenant, who, expected] of cases) {
        const r = await pythonSignIn(tenant, who);
        assert.equal(r.error, expected.error, `${who.username} on ${tenant}: ${r.description ?? ''}`);
        assert.deepEqual(r.error_codes, expected.error_codes);
        assert.equal(r.suberror ?? undefined, expected.suberror);
      }
    },
  );
});
