// Issue 16: an option the library and the web package both take is checked by one rule, so that the same value
// is either accepted everywhere or refused everywhere at start-up with the package's configuration error — never
// refused by one and silently clamped or kept by the other. Construction only: nothing is fetched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessTokenVerifier, createWebAuth, WebAuthConfigError } from '@tokenloop/web';
import { TokenloopError, createTokenClient } from 'tokenloop';
import { type KeySet, validateIdToken } from 'tokenloop/validation';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const COMMON = 'https://login.microsoftonline.com/common';
const API = 'api://option-rules';
const CLIENT = '0c7e3f52-0b1d-4f6e-9a41-7c3d2b1e0f05';

/** Whether the call throws, and then the error (any kind: a test that expects none says what it got). */
function outcome(call: () => unknown): { threw: false } | { threw: true; err: unknown } {
  try {
    call();
    return { threw: false };
  } catch (err) {
    return { threw: true, err };
  }
}

/** The library's configuration error (not the web's), with its message. */
function libraryConfigError(call: () => unknown, where: string): string {
  const o = outcome(call);
  assert.ok(o.threw, `${where}: accepted`);
  assert.ok(
    o.err instanceof TokenloopError && !(o.err instanceof WebAuthConfigError),
    `${where}: ${String(o.err)}`,
  );
  assert.equal(o.err.code, 'CONFIGURATION', where);
  return o.err.message;
}

/** The web package's configuration error, with its message. */
function webConfigError(call: () => unknown, where: string): string {
  const o = outcome(call);
  assert.ok(o.threw, `${where}: accepted`);
  assert.ok(o.err instanceof WebAuthConfigError, `${where}: ${String(o.err)}`);
  return o.err.message;
}

/** A key set that must never be asked: the expectations are refused before the token is read. */
const unusedKeys: KeySet = {
  candidates() {
    throw new Error('the key set was asked');
  },
};

describe('S215: clockToleranceSeconds has one rule (0 to 300 seconds) in the library and the web verifier', () => {
  const outOfRange: unknown[] = [-1, 301, 3600, Number.NaN, Number.POSITIVE_INFINITY, '60'];

  for (const value of outOfRange) {
    it(`S215: ${String(value)} (${typeof value}) is a configuration error everywhere, with one message`, async () => {
      const seconds = value as number;
      const client = libraryConfigError(
        () => createTokenClient({ authority: COMMON, clientId: CLIENT, clockToleranceSeconds: seconds }),
        'createTokenClient',
      );
      const verifier = webConfigError(
        () =>
          createAccessTokenVerifier({
            authority: `https://login.microsoftonline.com/${TENANT}`,
            audience: API,
            clockToleranceSeconds: seconds,
          }),
        'createAccessTokenVerifier',
      );
      // validateIdToken is async: its refusal comes as a rejection, before the token or the keys are read.
      const idToken = await validateIdToken('not.a.token', {
        keys: unusedKeys,
        expectedIssuer: () => 'https://issuer.example',
        clientId: CLIENT,
        clockToleranceSeconds: seconds,
      }).then(
        () => assert.fail('validateIdToken: accepted'),
        (err: unknown) =>
          libraryConfigError(() => {
            throw err;
          }, 'validateIdToken'),
      );
      assert.match(client, /clockToleranceSeconds must be/);
      assert.equal(verifier, client, 'the web verifier says what the library says');
      assert.equal(idToken, client, 'ID-token validation says what the client options say');
    });
  }

  for (const value of [0, 0.5, 60, 300]) {
    it(`S215: ${value} is accepted everywhere`, () => {
      createTokenClient({ authority: COMMON, clientId: CLIENT, clockToleranceSeconds: value });
      createAccessTokenVerifier({
        authority: `https://login.microsoftonline.com/${TENANT}`,
        audience: API,
        clockToleranceSeconds: value,
      });
    });
  }
});

describe('S216: allowedTenants has one rule (a non-empty list of tenant ids, GUIDs) in the library and the web', () => {
  const notTenantIds: Array<[string, unknown]> = [
    ['a domain', ['contoso.onmicrosoft.com']],
    ['a GUID and a domain', [TENANT, 'contoso.onmicrosoft.com']],
    ['a tenant name', ['contoso']],
    ['an empty string', ['']],
    ['an empty list', []],
    ['not a list', TENANT],
    ['a number', [42]],
  ];

  for (const [label, value] of notTenantIds) {
    it(`S216: ${label} is a configuration error in both packages, with one message`, () => {
      const tenants = value as string[];
      const client = libraryConfigError(
        () => createTokenClient({ authority: COMMON, clientId: CLIENT, allowedTenants: tenants }),
        'createTokenClient',
      );
      const verifier = webConfigError(
        () => createAccessTokenVerifier({ authority: COMMON, audience: API, allowedTenants: tenants }),
        'createAccessTokenVerifier',
      );
      const signIn = webConfigError(
        () =>
          createWebAuth({
            authority: COMMON,
            clientId: CLIENT,
            clientSecret: 'option-rules-secret',
            baseUrl: 'http://127.0.0.1:3000',
            allowedTenants: tenants,
          }),
        'createWebAuth',
      );
      assert.match(client, /allowedTenants must list tenant ids \(GUIDs\)/);
      assert.equal(verifier, client, 'the web verifier says what the library says');
      assert.ok(signIn.startsWith(client), `the web sign-in says what the library says: ${signIn}`);
    });
  }

  it('S216: tenant ids in any case are accepted by both', () => {
    for (const tenants of [[TENANT], [TENANT.toUpperCase(), '9188040d-6c67-4c5b-b112-36a304b66dad']]) {
      createTokenClient({ authority: COMMON, clientId: CLIENT, allowedTenants: tenants });
      createAccessTokenVerifier({ authority: COMMON, audience: API, allowedTenants: tenants });
    }
  });
});
