/**
 * S144: continuous access evaluation end to end with Microsoft's own clients: @azure/identity credentials behind
 * @azure/core-rest-pipeline's bearerTokenAuthenticationPolicy (what every Azure SDK client uses) call the emulator's
 * Graph over https. The policy asks for CAE tokens (client capability cp1); an admin revokes the user; the next
 * call is answered with a claims challenge; the policy asks the credential for a token with the challenge's claims
 * (the emulator counts a token request carrying the `nbf`), then either succeeds (a credential that can sign in
 * again by itself: the password grant) or reports "sign in again" (a credential with automatic authentication
 * disabled: the revocation also ended the refresh token, as Entra's "revoke sessions" does).
 * One emulator and one @azure/identity process (azure-identity/driver.mjs) for the file.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, startEmulator } from '../src/index.ts';
import {
  DriverCallError,
  type IdentityDriver,
  startContainedDriver,
  startProxyTrap,
} from './azure-identity/harness.ts';
import { T, USER_READ } from './azure-identity/resources.ts';
import { addConsentedPublicApp } from './support/apps.ts';

let dir: string;
let e: RunningEmulator;
let trap: Awaited<ReturnType<typeof startProxyTrap>>;
let driver: IdentityDriver;
let ropcApp: string;
let deviceApp: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenloop-azure-identity-cae-'));
  // Device codes are approved as bob at once (autoLogin); MSAL polls every second.
  [e, trap] = await Promise.all([
    startEmulator({
      https: true,
      dataDir: join(dir, 'emulator'),
      autoLogin: 'bob',
      settings: { deviceCodeInterval: 1 },
    }),
    startProxyTrap(),
  ]);
  driver = await startContainedDriver(e.caCertFile!, trap.url);
  const app = (name: string) => addConsentedPublicApp(e, { name, tenant: T });
  ropcApp = app('CAE test automation (password grant)');
  deviceApp = app('CAE device-code tool');
});

after(async () => {
  await Promise.allSettled([driver?.close(), trap?.close(), e?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What `POST /_emulator/api/users/{id}/revoke` does (the test process does not trust the emulator's CA). */
function revoke(user: string): void {
  assert.ok(e.revokeUserGrants(user) >= 1);
}

const me = (name: string) => ({ op: 'callApi' as const, name, scopes: [USER_READ], url: `${e.url}/v1.0/me` });

describe("S144 @azure/identity + core-rest-pipeline answer the emulator Graph's CAE challenge", () => {
  it("S144 UsernamePasswordCredential: revoked → challenged → a token asked with the challenge's nbf → the call succeeds", async () => {
    await driver.call({
      op: 'create',
      name: 'ropc',
      credential: {
        kind: 'UsernamePasswordCredential',
        tenantId: T,
        clientId: ropcApp,
        authorityHost: e.url,
        username: 'alice@contoso.onmicrosoft.com',
        password: 'alice-password-1',
      },
    });
    await driver.call(me('ropc'));
    const first = e.stats();
    assert.equal(first.claims_requests.cp1, 1, 'the policy asked for a CAE token (cp1)');
    assert.equal(first.claims_requests.nbf, 0);
    await driver.call(me('ropc'));
    assert.deepEqual(e.stats(), first, 'the CAE token is reused: no token request');
    revoke('alice');
    await driver.call(me('ropc'));
    const after = e.stats();
    // MSAL tries the (revoked) refresh token first, then @azure/identity signs in again with the password; both
    // carry the challenge's claims merged with cp1.
    assert.ok(after.claims_requests.nbf >= 1, "a token request carried the challenge's nbf");
    assert.equal(after.claims_requests.nbf, after.claims_requests.cp1 - first.claims_requests.cp1);
    assert.equal(after.token_requests.password?.[ropcApp], 2, 'a second password sign-in');
  });

  it('S144 DeviceCodeCredential with automatic authentication disabled: revoked → challenged → AuthenticationRequiredError (sign in again)', async () => {
    await driver.call({
      op: 'create',
      name: 'device',
      credential: {
        kind: 'DeviceCodeCredential',
        tenantId: T,
        clientId: deviceApp,
        authorityHost: e.url,
        disableAutomaticAuthentication: true,
      },
    });
    await driver.call({ op: 'authenticate', name: 'device', scopes: [USER_READ] });
    await driver.call(me('device'));
    const before = e.stats();
    revoke('bob');
    await assert.rejects(driver.call(me('device')), (err: unknown) => {
      assert.ok(err instanceof DriverCallError, String(err));
      assert.equal(err.errorName, 'AuthenticationRequiredError', err.message);
      return true;
    });
    const after = e.stats();
    assert.equal(
      after.claims_requests.nbf - before.claims_requests.nbf,
      1,
      "one refresh with the challenge's nbf",
    );
    assert.equal(
      (after.token_requests.refresh_token?.[deviceApp] ?? 0) -
        (before.token_requests.refresh_token?.[deviceApp] ?? 0),
      1,
    );
    assert.equal(
      after.token_requests.device_code?.[deviceApp],
      before.token_requests.device_code?.[deviceApp],
      'no new device code flow: the app is told to sign the user in again',
    );
  });
});
