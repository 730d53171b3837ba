// Device authorization grant (loginWithDeviceCode) against oidc-provider, the user acting on its verification
// page over HTTP. The provider announces `interval: 1` so that the tests poll quickly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DeviceCodePrompt, OAuthError, memoryStore } from 'tokenloop';
import {
  CLIENT_IDS,
  type OidcProviderHarness,
  USERS,
  startOidcProvider,
} from '../support/oidc-provider-server.js';
import { DEVICE_GRANT, claimsOf, nativeClient, nextTokenRequest, outcomes, rejectsWith } from './helpers.js';

let h: OidcProviderHarness;
before(async () => {
  h = await startOidcProvider({ deviceInterval: 1 });
});
after(async () => {
  await h?.close();
});

/** Start a device sign-in; `prompt` resolves when the library shows the code. */
function startDeviceLogin(client: ReturnType<typeof nativeClient>, scopes = ['openid', 'profile']) {
  let shown!: (p: DeviceCodePrompt) => void;
  const prompt = new Promise<DeviceCodePrompt>((resolve) => (shown = resolve));
  const login = client.loginWithDeviceCode({ scopes, onPrompt: (p) => shown(p), timeoutMs: 60_000 });
  // Keep an early failure from being an unhandled rejection; the test awaits `login` itself.
  login.catch(() => {});
  return { prompt, login };
}

describe('oidc-provider: device code (loginWithDeviceCode)', { timeout: 90_000 }, () => {
  it('the user enters the code and signs in on the verification page; the library polls until tokens come', async () => {
    const cache = memoryStore();
    const client = nativeClient(h, cache);
    const from = h.tokenRequests.length;
    const { prompt: shown, login } = startDeviceLogin(client);
    const prompt = await shown;
    assert.equal(prompt.verificationUri, `${h.issuer}/device`);
    assert.match(prompt.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.ok(prompt.verificationUriComplete, 'a complete verification URI');
    assert.equal(new URL(prompt.verificationUriComplete).searchParams.get('user_code'), prompt.userCode);
    assert.ok(prompt.expiresAt.getTime() > Date.now(), 'the code expires in the future');

    const lastPage = await h
      .browser()
      .verifyDeviceCode(prompt.verificationUri, prompt.userCode, { user: 'bob' });
    assert.equal(lastPage, 'Device signed in');

    const result = await login;
    assert.equal(result.fromCache, false);
    assert.equal(result.account?.homeAccountId, `${USERS.bob.sub}@${h.issuer}`);
    assert.equal(result.account?.username, USERS.bob.preferredUsername);
    assert.equal(claimsOf(result.idToken!).aud, CLIENT_IDS.native);
    const polls = outcomes(h, DEVICE_GRANT, CLIENT_IDS.native, from);
    assert.equal(polls.at(-1), 'ok', 'the last poll got the tokens');
    assert.ok(
      polls.slice(0, -1).every((o) => o === 'authorization_pending'),
      `only authorization_pending before: ${polls.join(', ')}`,
    );
    const [record] = await cache.list();
    assert.ok(record?.refreshToken?.secret, 'a refresh token is cached');
  });

  it('slow_down: the library keeps polling (more slowly) and completes the sign-in', async () => {
    const client = nativeClient(h);
    const from = h.tokenRequests.length;
    h.slowDownDevicePolls(1);
    const firstPoll = nextTokenRequest(h, (r) => r.grantType === DEVICE_GRANT);
    const { prompt: shown, login } = startDeviceLogin(client);
    const prompt = await shown;
    // Let the first poll happen (and be told to slow down) before the user acts.
    assert.equal((await firstPoll).error, 'slow_down');
    assert.equal(
      await h.browser().verifyDeviceCode(prompt.verificationUri, prompt.userCode, { user: 'alice' }),
      'Device signed in',
    );
    const result = await login;
    assert.equal(result.account?.localAccountId, USERS.alice.sub);
    const polls = outcomes(h, DEVICE_GRANT, CLIENT_IDS.native, from);
    assert.equal(polls[0], 'slow_down');
    assert.equal(polls.at(-1), 'ok');
    assert.ok(
      polls.slice(1, -1).every((o) => o === 'authorization_pending'),
      `only authorization_pending in between: ${polls.join(', ')}`,
    );
  });

  it('access_denied: the user aborts on the verification page; the library stops with a clear error', async () => {
    const client = nativeClient(h);
    const from = h.tokenRequests.length;
    const { prompt: shown, login } = startDeviceLogin(client);
    const prompt = await shown;
    const lastPage = await h
      .browser()
      .verifyDeviceCode(prompt.verificationUri, prompt.userCode, { user: 'alice', abort: true });
    assert.equal(lastPage, 'Enter code', 'the provider shows its code page again');

    const err = await rejectsWith(login, 'OAUTH_ERROR', /^access_denied: End-User aborted interaction$/);
    assert.ok(err instanceof OAuthError, 'an OAuthError');
    assert.equal(err.error, 'access_denied');
    assert.equal(err.errorClass, 'declined');
    assert.ok(err.remediation && err.remediation.length > 0, 'a remediation');
    const polls = outcomes(h, DEVICE_GRANT, CLIENT_IDS.native, from);
    assert.equal(polls.at(-1), 'access_denied', 'polling stopped at access_denied');
    assert.ok(
      polls.slice(0, -1).every((o) => o === 'authorization_pending'),
      `only authorization_pending before: ${polls.join(', ')}`,
    );
    assert.deepEqual(await client.getAccounts(), [], 'nothing cached');
  });

  it('a user code that is not valid is refused on the verification page; sign-in goes on', async () => {
    const client = nativeClient(h);
    const { prompt: shown, login } = startDeviceLogin(client);
    const prompt = await shown;
    await assert.rejects(
      h.browser().verifyDeviceCode(prompt.verificationUri, 'BBBB-BBBB', { user: 'alice' }),
      /no form op.deviceConfirmForm/,
    );
    assert.equal(
      await h.browser().verifyDeviceCode(prompt.verificationUri, prompt.userCode, { user: 'alice' }),
      'Device signed in',
    );
    assert.equal((await login).account?.localAccountId, USERS.alice.sub);
  });
});
