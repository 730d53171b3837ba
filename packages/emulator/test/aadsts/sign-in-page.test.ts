import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/index.ts';
import { hiddenTx, withEmulator } from '../support/harness.ts';
import { ALICE, WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectRedirectError } from './entra-errors.ts';
import { TIMEOUT } from './token-calls.ts';
import { post, webAppAuthorize } from './tx-browser.ts';

/** Sign-in page errors: the page again with the message, or (a cancelled consent) the redirect back. */

describe('AADSTS errors on the sign-in page', TIMEOUT, () => {
  async function loginPage(e: RunningEmulator): Promise<string> {
    const res = await webAppAuthorize(e);
    assert.equal(res.status, 200);
    return hiddenTx(await res.text());
  }

  it('AADSTS50126: wrong password re-renders the login page with the message; a retry still works', async () => {
    await withEmulator({}, async (e) => {
      const tx = await loginPage(e);
      const bad = await post(`${e.url}/_ui/login`, {
        tx,
        username: ALICE.username,
        password: 'wrong-password',
      });
      assert.equal(bad.status, 200);
      assert.equal(bad.headers.get('location'), null);
      assert.deepEqual(bad.headers.getSetCookie(), [], 'no session for a failed sign-in');
      const html = await bad.text();
      assert.match(html, /role="alert">Your account or password is incorrect\. \(AADSTS50126\)</);
      assert.match(html, /name="username" value="alice@contoso\.onmicrosoft\.com"/);
      assert.doesNotMatch(html, /wrong-password/);
      const unknown = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(html),
        username: 'nobody@contoso.onmicrosoft.com',
        password: 'x',
      });
      assert.match(await unknown.text(), /\(AADSTS50126\)/);
      const good = await post(`${e.url}/_ui/login`, { tx, ...ALICE });
      assert.equal(good.status, 200);
      assert.match(await good.text(), /Permissions requested/);
    });
  });

  it('AADSTS65004: the user cancels on the consent page → access_denied at the redirect URI', async () => {
    await withEmulator({}, async (e) => {
      const res = await webAppAuthorize(e, { state: 'st-cancel' });
      const login = await post(`${e.url}/_ui/login`, { tx: hiddenTx(await res.text()), ...ALICE });
      const consentHtml = await login.text();
      assert.match(consentHtml, /Permissions requested/);
      const cancel = await post(`${e.url}/_ui/consent`, {
        tx: hiddenTx(consentHtml),
        decision: 'cancel',
      });
      expectRedirectError(cancel, WEB_REDIRECT, { error: 'access_denied', code: 65004, state: 'st-cancel' });
    });
  });

  it("AADSTS50020: a user from another tenant cannot sign in through this tenant's authority", async () => {
    await withEmulator({}, async (e) => {
      const res = await post(`${e.url}/_ui/login`, {
        tx: await loginPage(e),
        username: 'carol@fabrikam.onmicrosoft.com',
        password: 'carol-password-1',
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      assert.match(
        await res.text(),
        /role="alert">[^<]*carol@fabrikam\.onmicrosoft\.com[^<]*\(AADSTS50020\)</,
      );
    });
  });

  it('AADSTS50057: a disabled user cannot sign in', async () => {
    await withEmulator({}, async (e) => {
      e.setScenarios({ user: 'alice' }, { disabled: true });
      const res = await post(`${e.url}/_ui/login`, { tx: await loginPage(e), ...ALICE });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /role="alert">The user account is disabled\. \(AADSTS50057\)</);
    });
  });
});
