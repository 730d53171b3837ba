// The sign-in journey in real headless Debian Chromium, on Express and on Fastify: sign in on the emulator's
// pages, consent, profile (Graph /me), incremental consent for an API, a second instance behind the same Redis
// serving the user, session expiry, sign out. Screenshots go to artifacts/web/<adapter>/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SAMPLE_IDS } from '@tokenloop/emulator';
import type { Browser } from 'playwright-core';
import { artifactDir, launchBrowser } from '../../emulator/test/support/browser.js';
import { recordNamesOf } from './support/records.js';
import { type TwoInstances, startTwoInstances } from './support/two-instances.js';
import type { TestApp } from './support/web-app.js';

const API_SCOPE = `api://${SAMPLE_IDS.apiApp}/access_as_user`;

for (const adapter of ['express', 'fastify'] as const) {
  describe(`sign-in in Chromium (${adapter})`, () => {
    let parts: TwoInstances;
    let a: TestApp;
    let b: TestApp;
    let browser: Browser;
    before(async () => {
      parts = await startTwoInstances({ adapter, apiScope: API_SCOPE });
      ({ a, b } = parts);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await parts?.close();
    });

    it('sign in, consent, profile, incremental consent, another instance, expiry, sign out', async () => {
      const shots = artifactDir(join('web', adapter));
      const page = await browser.newPage();
      await page.goto(`${a.url}/me`);
      await page.getByLabel(/username/i).fill('bob@contoso.onmicrosoft.com');
      await page.getByLabel(/password/i).fill('bob-password-1');
      await page.screenshot({ path: join(shots, '1-login.png'), fullPage: true });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Accept' }).waitFor();
      await page.screenshot({ path: join(shots, '2-consent.png'), fullPage: true });
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL(`${a.url}/me`);
      assert.match(await page.locator('body').innerText(), /"displayName":\s*"Bob Brown"/);
      await page.screenshot({ path: join(shots, '3-profile.png'), fullPage: true });

      // A token for the API: consent is asked for that API, then the browser comes back to /api-call.
      await page.goto(`${a.url}/api-call`);
      const consent = page.getByRole('button', { name: 'Accept' });
      await Promise.race([
        consent.waitFor().then(() => consent.click()),
        page.waitForURL(`${a.url}/api-call`),
      ]);
      await page.waitForURL(`${a.url}/api-call`);
      assert.match(await page.locator('body').innerText(), /access_as_user/);
      await page.screenshot({ path: join(shots, '4-api.png'), fullPage: true });

      // The second instance (same Redis) serves the signed-in user.
      await page.goto(`${b.url}/`);
      assert.equal(
        (await page.locator('body').innerText()).trim(),
        'signed in as bob@contoso.onmicrosoft.com',
      );

      // Session expiry: the session is gone from Redis → the next page asks for sign-in (SSO brings the user back).
      const cookie = (await page.context().cookies()).find((c) => c.name === 'tl_session')!;
      await parts.sessionStores[0].delete(recordNamesOf(a.auth).session(cookie.value));
      await page.goto(`${a.url}/`);
      assert.equal((await page.locator('body').innerText()).trim(), 'anonymous');

      // Sign in again (the emulator's SSO session lets it through), then sign out: back on the app, signed out.
      await page.goto(`${a.url}/me`);
      const picker = page.getByRole('button', { name: /bob@contoso/ });
      if (await picker.count()) await picker.first().click();
      await page.waitForURL(`${a.url}/me`);
      // Sign out: the route shows a confirmation page (S65); its form POSTs back from the app's own origin.
      await page.goto(`${a.url}/auth/logout`);
      await page.screenshot({ path: join(shots, '5-sign-out.png'), fullPage: true });
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL((u) => u.origin === a.url && u.pathname === '/');
      await page.screenshot({ path: join(shots, '6-signed-out.png'), fullPage: true });
      await page.goto(`${a.url}/`);
      assert.equal((await page.locator('body').innerText()).trim(), 'anonymous');
      await page.close();
    });
  });
}
