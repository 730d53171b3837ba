// offline_access against a generic OpenID provider (panva's oidc-provider) that publishes no `scopes_supported`
// and refuses, with invalid_scope, scopes it knows but does not allow the client — as widely used providers do.
// The library sends offline_access only when the provider advertises it or the caller asks for it; a refused
// scope comes back as an error that names the scope and says what to change.
import assert from 'node:assert/strict';
import { type TestContext, after, before, describe, it } from 'node:test';
import { type DeviceCodePrompt, OAuthError, createTokenClient, memoryStore } from 'tokenloop';
import { CLIENT_IDS, type OidcProviderHarness, startOidcProvider } from '../support/oidc-provider-server.js';
import { loginInteractively } from './helpers.js';

let silent: OidcProviderHarness;
let advertising: OidcProviderHarness;
before(async () => {
  [silent, advertising] = await Promise.all([
    startOidcProvider({ publishScopesSupported: false }),
    startOidcProvider(),
  ]);
});
after(async () => {
  await Promise.all([silent?.close(), advertising?.close()]);
});

function restrictedClient(h: OidcProviderHarness) {
  return createTokenClient({ issuer: h.issuer, clientId: CLIENT_IDS.nativeNoOffline, cache: memoryStore() });
}

/**
 * Browser sign-in with `prompt=consent`, so that oidc-provider keeps offline_access in the request (without it,
 * it drops offline_access instead of refusing it, OIDC Core §11). Resolves with the request and the outcome.
 */
async function browserSignIn(
  h: OidcProviderHarness,
  scopes: string[],
): Promise<{ request: URL; outcome: unknown }> {
  const browser = h.browser();
  let request: URL | undefined;
  const outcome = await restrictedClient(h)
    .loginInteractive({
      scopes,
      prompt: 'consent',
      timeoutMs: 30_000,
      openBrowser: async (url) => {
        request = url;
        await browser.authorizeAndDeliver(url, { user: 'alice' });
      },
    })
    .catch((e: unknown) => e);
  assert.ok(request, 'the browser was opened');
  return { request, outcome };
}

/** A device sign-in as alice on the verification page. */
async function deviceSignIn(
  h: OidcProviderHarness,
  scopes: string[],
): Promise<{
  prompt: DeviceCodePrompt;
  result: Awaited<ReturnType<ReturnType<typeof restrictedClient>['loginWithDeviceCode']>>;
}> {
  const client = restrictedClient(h);
  let shown!: (p: DeviceCodePrompt) => void;
  const promptShown = new Promise<DeviceCodePrompt>((resolve) => (shown = resolve));
  const login = client.loginWithDeviceCode({ scopes, onPrompt: (p) => shown(p), timeoutMs: 60_000 });
  login.catch(() => {});
  const prompt = await Promise.race([promptShown, login.then(() => assert.fail('no prompt'))]);
  await h.browser().verifyDeviceCode(prompt.verificationUri, prompt.userCode, { user: 'alice' });
  return { prompt, result: await login };
}

describe('offline_access with generic OpenID providers', { timeout: 90_000 }, () => {
  it('a provider that publishes no scopes_supported is not sent offline_access, and browser sign-in works', async () => {
    const meta = await silent.metadata();
    assert.equal(meta.scopes_supported, undefined, 'the provider publishes no scopes_supported');
    const { request, outcome } = await browserSignIn(silent, ['openid', 'profile']);
    assert.deepEqual((request.searchParams.get('scope') ?? '').split(' ').sort(), ['openid', 'profile']);
    assert.ok(!(outcome instanceof Error), `signed in, not ${String(outcome)}`);
    assert.ok((outcome as { idToken?: string }).idToken, 'an ID token');
  });

  it('a provider that publishes no scopes_supported is not sent offline_access by device sign-in either', async () => {
    const { result } = await deviceSignIn(silent, ['openid', 'profile']);
    assert.ok(result.idToken, 'signed in on the device page');
  });

  it('a provider that advertises offline_access in scopes_supported is sent it', async () => {
    const meta = await advertising.metadata();
    assert.ok((meta.scopes_supported as string[]).includes('offline_access'));
    const client = createTokenClient({ issuer: advertising.issuer, clientId: CLIENT_IDS.native });
    const { request } = await loginInteractively(advertising, client, 'alice', ['openid']);
    assert.deepEqual((request.searchParams.get('scope') ?? '').split(' ').sort(), [
      'offline_access',
      'openid',
    ]);
  });

  it('offline_access the caller asks for is sent even when not advertised; refused, the error names it and the fix', async (t: TestContext) => {
    const { request, outcome: err } = await browserSignIn(silent, ['openid', 'offline_access']);
    assert.ok(
      request.searchParams.get('scope')?.split(' ').includes('offline_access'),
      'offline_access sent',
    );
    assert.ok(err instanceof OAuthError, `an OAuthError, got ${String(err)}`);
    assert.equal(err.error, 'invalid_scope');
    assert.match(err.message, /offline_access/, 'the message names the refused scope');
    assert.match(err.remediation ?? '', /offline_access/, 'the fix names the scope');
    assert.match(err.remediation ?? '', /leave .*out/i, 'the fix says to leave it out');
    assert.match(err.remediation ?? '', new RegExp(CLIENT_IDS.nativeNoOffline), 'the fix names the client');
    t.diagnostic(`message: ${err.message}; fix: ${err.remediation}`);
  });

  it('a scope refused at the device authorization endpoint: the error names it and the fix', async () => {
    const client = restrictedClient(silent);
    const err = await client
      .loginWithDeviceCode({ scopes: ['openid', 'offline_access'], onPrompt: () => {}, timeoutMs: 30_000 })
      .then(
        () => assert.fail('the provider should refuse offline_access for this client'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof OAuthError, `an OAuthError, got ${String(err)}`);
    assert.equal(err.error, 'invalid_scope');
    assert.match(err.message, /offline_access/);
    assert.match(err.remediation ?? '', /offline_access/);
  });
});
