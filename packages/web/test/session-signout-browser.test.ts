// Cross-site sign-out in real headless Chromium (finding 6 of the security review; S65, S66): another site's
// page — on the same site (127.0.0.1, another port: the session cookie is sent along) or a different one
// (localhost) — that POSTs a form to the sign-out route, loads it as an image or navigates to it does not sign
// the user out. The app's own confirmation page does, and "sign out everywhere" ends the user's other browser too.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../../emulator/test/support/browser.js';
import { type TestApp, startWebApp } from './support/web-app.js';

const ALICE = 'signed in as alice@contoso.onmicrosoft.com';

/** The attacker's pages: each one tries to sign the visitor out of `target` in a different way. */
function attackerPages(target: string): Record<string, string> {
  const logout = `${target}/auth/logout`;
  const form = (extra: string) =>
    `<form id="f" method="post" action="${logout}">${extra}</form><script>document.getElementById('f').submit()</script>`;
  return {
    '/post': form(''),
    '/post-everywhere': form('<input type="hidden" name="everywhere" value="1">'),
    '/img': `<img src="${logout}"><script>setTimeout(() => document.title = 'done', 500)</script>`,
    '/navigate': `<script>location = ${JSON.stringify(logout)}</script>`,
  };
}

function startAttacker(target: string): Promise<Server> {
  const pages = attackerPages(target);
  const server = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>prize</title>${body ?? ''}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`S65 cross-site sign-out in Chromium (${adapter})`, () => {
    let em: RunningEmulator;
    let app: TestApp;
    let attacker: Server;
    let browser: Browser;
    before(async () => {
      em = await startEmulator({ autoLogin: 'alice' });
      app = await startWebApp({
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        clientId: SAMPLE_IDS.webApp,
        clientSecret: SAMPLE_SECRETS.webApp,
        graphBase: em.url,
        apiScope: 'User.Read',
        adapter,
      });
      attacker = await startAttacker(app.url);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await new Promise((resolve) => attacker?.close(resolve));
      await app?.close();
      await em?.close();
    });

    async function signedInContext(): Promise<BrowserContext> {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${app.url}/auth/login`);
      await page.waitForURL(`${app.url}/`);
      assert.equal((await page.locator('body').innerText()).trim(), ALICE);
      await page.close();
      return context;
    }
    const whoAmI = async (context: BrowserContext) => {
      const page = await context.newPage();
      await page.goto(`${app.url}/`);
      const text = (await page.locator('body').innerText()).trim();
      await page.close();
      return text;
    };

    it('S65 a page on another origin (same site, or another site) cannot sign the user out: form POST, image, navigation', async () => {
      const context = await signedInContext();
      const port = (attacker.address() as AddressInfo).port;
      for (const host of ['127.0.0.1', 'localhost']) {
        for (const path of Object.keys(attackerPages(app.url))) {
          const page = await context.newPage();
          const from = `http://${host}:${port}`;
          await page.goto(`${from}${path}`);
          if (path === '/img') await page.waitForFunction(() => document.title === 'done');
          else await page.waitForURL((u) => u.origin !== from, { waitUntil: 'load' });
          await page.close();
          assert.equal(await whoAmI(context), ALICE, `http://${host}:${port}${path} signed the user out`);
        }
      }
      await context.close();
    });

    it('S66 the app\'s own confirmation page signs out; "sign out everywhere" also ends the user\'s other browser', async () => {
      const here = await signedInContext();
      const elsewhere = await signedInContext();
      const third = await signedInContext();
      // "Sign out" ends this browser's session only.
      const page = await third.newPage();
      await page.goto(`${app.url}/auth/logout`);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.waitForURL(`${app.url}/`);
      assert.equal(await whoAmI(third), 'anonymous');
      assert.equal(await whoAmI(here), ALICE);
      assert.equal(await whoAmI(elsewhere), ALICE);
      // "Sign out everywhere" ends the others too.
      const confirm = await here.newPage();
      await confirm.goto(`${app.url}/auth/logout`);
      await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
      await confirm.waitForURL(`${app.url}/`);
      assert.equal(await whoAmI(here), 'anonymous');
      assert.equal(await whoAmI(elsewhere), 'anonymous');
      for (const c of [here, elsewhere, third]) await c.close();
    });
  });
}
