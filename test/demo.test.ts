import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '@tokenloop/emulator';
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

  it('the home page itself shows a demo user and password (not only the terminal)', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    const text = await page.locator('main').innerText();
    assert.match(text, /alice@contoso\.onmicrosoft\.com/);
    assert.match(text, /alice-password-1/);
    await page.close();
    const icon = await fetch(`${appUrl}/favicon.ico`);
    assert.equal(icon.status, 200, 'a browser asking for /favicon.ico gets an icon, not a 404');
  });

  it('cancelling consent ends on a page of the demo, styled, with a way to try again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByLabel(/email|username/i).fill('bob@contoso.onmicrosoft.com');
    await page.getByLabel(/password/i).fill('bob-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: /cancelled/i }).waitFor();
    assert.equal(new URL(page.url()).origin, appUrl);
    await page.screenshot({ path: join(artifactDir('demo'), '5-consent-cancelled.png'), fullPage: true });
    assert.equal(await page.locator('header .brand').innerText(), 'tokenloop demo', "the demo's own page");
    assert.ok(await page.getByRole('link', { name: /sign in/i }).isVisible(), 'a way to try again');
    assert.doesNotMatch(await page.locator('body').innerText(), /\n\s+at |Error:/, 'no stack trace');
    await context.close();
  });

  it('signs in with the emulator, shows the Graph profile, and signs out', async () => {
    const shots = artifactDir('demo');
    const page = await browser.newPage();
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
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
    assert.deepEqual(missing, [], 'no request of the journey got a 404 (favicons included)');
    await page.close();
  });
});

/** A server on a port of its own that answers every request with 404: "something else" on that port. */
async function somethingElse(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs the demo until it prints its URL (resolves with the output) or exits (with the output and code). */
function runDemo(
  env: Record<string, string>,
): Promise<{ output: string; code: number | null; stop(): void }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.mjs')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const stop = () => child.kill('SIGTERM');
    const seen = (d: Buffer) => {
      output += d.toString();
      if (/Press Ctrl-C to stop/.test(output)) resolve({ output, code: null, stop });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => resolve({ output, code, stop }));
  });
}

describe('npm run demo when its ports are taken', () => {
  it('a taken app port (3000) is named, with how to choose another', async () => {
    const other = await somethingElse();
    try {
      const r = await runDemo({ PORT: String(other.port), EMULATOR_PORT: '0' });
      assert.notEqual(r.code, null, r.output);
      assert.notEqual(r.code, 0);
      assert.match(r.output, new RegExp(`port ${other.port} .*in use`));
      assert.match(r.output, /PORT=/);
      assert.doesNotMatch(r.output, /Cannot read properties|\n\s+at /);
    } finally {
      await other.close();
    }
  });

  it('a taken emulator port (8400) with something else on it is named, with how to choose another', async () => {
    const other = await somethingElse();
    try {
      const r = await runDemo({ PORT: '0', EMULATOR_PORT: String(other.port) });
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, new RegExp(`port ${other.port} .*(in use|not a tokenloop emulator)`));
      assert.match(r.output, /EMULATOR_PORT=/);
    } finally {
      await other.close();
    }
  });

  it('an emulator already running on the port is used', async () => {
    const running = await startEmulator();
    try {
      const port = new URL(running.url).port;
      const r = await runDemo({ PORT: '0', EMULATOR_PORT: port });
      try {
        assert.equal(r.code, null, r.output);
        assert.match(
          r.output,
          new RegExp(`emulator already running at ${running.url.replaceAll('.', '\\.')}`),
        );
        const app = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(r.output)![1]!;
        const home = await (await fetch(app)).text();
        assert.ok(home.includes(`${running.url}/`), 'the app signs in at the running emulator');
      } finally {
        r.stop();
      }
    } finally {
      await running.close();
    }
  });
});
