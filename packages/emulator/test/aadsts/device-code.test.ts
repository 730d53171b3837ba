import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS } from '../../src/index.ts';
import { hiddenTx, withEmulator } from '../support/harness.ts';
import { ALICE, GRAPH_SCOPE, T } from '../support/web-sign-in.ts';
import { expectError } from './entra-errors.ts';
import { TIMEOUT, token } from './token-calls.ts';
import { post, request } from './tx-browser.ts';

/** The device code flow: polling errors (pending, slow down, declined, expired, unknown) and the code entry page. */

describe('AADSTS errors in the device code flow', TIMEOUT, () => {
  const scope = GRAPH_SCOPE;

  async function startDevice(e: RunningEmulator): Promise<{ device_code: string; user_code: string }> {
    const res = await post(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
      client_id: SAMPLE_IDS.publicApp,
      scope,
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { device_code: string; user_code: string };
  }

  function poll(e: RunningEmulator, deviceCode: string) {
    return token(e, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: SAMPLE_IDS.publicApp,
      device_code: deviceCode,
    });
  }

  it('AADSTS70016: authorization_pending, then slow_down when polled faster than the interval', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 30 } }, async (e) => {
      const d = await startDevice(e);
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_pending',
        code: 70016,
      });
      await expectError(await poll(e, d.device_code), { status: 400, error: 'slow_down', code: 70016 });
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_pending',
        code: 70016,
      });
    });
  });

  it('authorization_declined when the user cancels on the consent page', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 30 } }, async (e) => {
      const d = await startDevice(e);
      const page = await request(`${e.url}/devicelogin`);
      const entry = await post(`${e.url}/_ui/device-code`, {
        tx: hiddenTx(await page.text()),
        user_code: d.user_code,
      });
      assert.equal(entry.status, 200);
      const login = await post(`${e.url}/_ui/login`, {
        tx: hiddenTx(await entry.text()),
        ...ALICE,
      });
      const confirmHtml = await login.text();
      assert.match(confirmHtml, /Are you trying to sign in to Sample native app\?/);
      const confirmed = await post(`${e.url}/_ui/device-confirm`, {
        tx: hiddenTx(confirmHtml),
        decision: 'continue',
      });
      const consentHtml = await confirmed.text();
      assert.match(consentHtml, /Permissions requested/);
      const cancel = await post(`${e.url}/_ui/consent`, {
        tx: hiddenTx(consentHtml),
        decision: 'cancel',
      });
      assert.equal(cancel.status, 200);
      await expectError(await poll(e, d.device_code), {
        status: 400,
        error: 'authorization_declined',
        code: 65004,
      });
    });
  });

  it('the code entry page takes GET (its form posts to /_ui/device-code); other methods get 405 naming GET', async () => {
    await withEmulator({}, async (e) => {
      const page = await request(`${e.url}/devicelogin`);
      assert.equal(page.status, 200);
      const wrong = await post(`${e.url}/_ui/device-code`, {
        tx: hiddenTx(await page.text()),
        user_code: 'BCDFGHJKL',
      });
      assert.equal(wrong.status, 200);
      assert.match(await wrong.text(), /That code didn&#39;t work|That code didn't work/);
      for (const method of ['POST', 'DELETE']) {
        const refused = await request(`${e.url}/devicelogin`, { method });
        assert.equal(refused.status, 405, method);
        assert.deepEqual(refused.headers.get('allow')?.split(', ').sort(), ['GET']);
        await refused.body?.cancel();
      }
    });
  });

  it('AADSTS70020: expired_token once the device code has expired', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1, deviceCodeLifetime: 1 } }, async (e) => {
      const d = await startDevice(e);
      await new Promise((r) => setTimeout(r, 1200));
      await expectError(await poll(e, d.device_code), { status: 400, error: 'expired_token', code: 70020 });
    });
  });

  it('bad_verification_code for an unknown device code; AADSTS7000218 for a device code request of a confidential app', async () => {
    await withEmulator({}, async (e) => {
      await expectError(await poll(e, 'DAQABnot-a-real-code'), {
        status: 400,
        error: 'bad_verification_code',
        code: 9002313,
      });
      await expectError(
        await post(`${e.url}/${T}/oauth2/v2.0/devicecode`, { client_id: SAMPLE_IDS.webApp, scope }),
        { status: 401, error: 'invalid_client', code: 7000218 },
      );
    });
  });
});
