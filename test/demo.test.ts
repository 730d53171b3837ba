import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifactDir, launchBrowser } from '../packages/emulator/test/support/browser.ts';

const ROOT = join(import.meta.dirname, '..');

/** The README's first command, end to end in real Chromium: sign in → Graph /me → protected API (OBO) → sign out. */
describe('npm run demo', () => {
  let demo: ChildProcess;
  let appUrl: string;
  let output = '';
  let browser: Browser;

  before(async () => {
    demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.mjs')], {
      env: { ...process.env, PORT: '0', EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    appUrl = await new Promise<string>((resolve, reject) => {
      demo.stdout!.on('data', (d) => {
        output += d;
        const m = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) resolve(m[1]!);
      });
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}`)));
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    demo.kill('SIGTERM');
  });

  it('prints the app URL and the demo users', () => {
    assert.match(output, /alice@contoso\.onmicrosoft\.com\s+password \S+/);
    assert.match(output, /admin page: http:\/\/127\.0\.0\.1:\d+\/_emulator\//);
  });

  it('signs in with the emulator, shows the Graph profile, and signs out', async () => {
    const shots = artifactDir('demo');
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.screenshot({ path: join(shots, '1-home.png'), fullPage: true });
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByLabel(/email|username/i).fill('alice@contoso.onmicrosoft.com');
    await page.getByLabel(/password/i).fill('alice-password-1');
    await page.screenshot({ path: join(shots, '2-login.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('heading', { name: 'Hello, Alice Adams' }).waitFor();
    await page.screenshot({ path: join(shots, '3-profile.png'), fullPage: true });
    const text = await page.locator('main').innerText();
    assert.match(text, /userPrincipalName\s+alice@contoso\.onmicrosoft\.com/);
    assert.match(text, /tid\s+3c8f2a1e-5b7d-4e9a-9c0f-2d6b8e4a1f73/);
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{20,}/, 'no token is shown');
    // The protected API, called with a token for it (consented incrementally), calls Graph on-behalf-of.
    await page.getByRole('link', { name: 'Call the protected API' }).click();
    const consent = page.getByRole('button', { name: 'Accept' });
    await Promise.race([
      consent.waitFor().then(() => consent.click()),
      page.getByRole('heading', { name: 'The API answered' }).waitFor(),
    ]);
    await page.getByRole('heading', { name: 'The API answered' }).waitFor();
    await page.screenshot({ path: join(shots, '4-api.png'), fullPage: true });
    const api = await page.locator('main').innerText();
    assert.match(api, /HTTP 200/);
    assert.match(api, /displayName\s+Alice Adams/);
    assert.match(api, /calledWithScopes\s+access_as_user/);
    assert.doesNotMatch(api, /eyJ[A-Za-z0-9_-]{20,}/, 'no token is shown');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).waitFor();
    assert.equal(new URL(page.url()).origin, appUrl, 'back on the app after the emulator signed out');
    await page.close();
  });
});
