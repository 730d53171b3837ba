/**
 * Every page the emulator renders, in real headless Chromium: screenshots (artifacts/emulator-pages/),
 * accessibility basics (labels, one h1, html[lang], keyboard focus order, keyboard-only sign-in), no CSP
 * violations or console errors, security headers, and the redirects Chromium must follow back to a loopback
 * client on a random port (form-action is enforced on the redirect after a form POST).
 */
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import { artifactDir, launchBrowser } from './support/browser.ts';

const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const BOB = { username: 'bob@contoso.onmicrosoft.com', password: 'bob-password-1' };
const STEP_TIMEOUT_MS = 20_000;

/** What the loopback client received at its redirect URI. */
interface Arrival {
  method: string;
  path: string;
  fields: Record<string, string>;
}

/** A tiny loopback "client app" on a random port: records every request at its redirect URIs. */
async function startClient(): Promise<{ server: Server; origin: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (body.length < 100_000) body += chunk;
    });
    req.on('end', () => {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const fields = Object.fromEntries(
        req.method === 'POST' ? new URLSearchParams(body) : url.searchParams,
      ) as Record<string, string>;
      arrivals.push({ method: req.method ?? '', path: url.pathname, fields });
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
      });
      res.end(
        '<!doctype html><html lang="en"><head><title>Client</title></head><body><h1>Client app</h1></body></html>',
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

let emulator: RunningEmulator;
let client: Awaited<ReturnType<typeof startClient>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const logs: string[] = [];
/** Console errors, page errors and CSP violations, with the page they happened on. */
const problems: string[] = [];
/**
 * Documents answered with an error status on purpose (the error page): Chromium logs "Failed to load
 * resource" for those itself, which is not a problem of the page.
 */
const expectedErrorDocuments = new Set<string>();
/** Every HTML document the emulator served, for the header checks. */
const documents: { method: string; url: string; headers: Promise<Record<string, string>> }[] = [];
const shots = artifactDir('emulator-pages');

/** Reports CSP violations to the console, where the listener below records them. */
const VIOLATION_LISTENER = `document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
});`;

/** Where a page is, without its query or fragment (which may hold a code). */
function where(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function watch(p: Page): void {
  p.setDefaultTimeout(STEP_TIMEOUT_MS);
  p.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const status = /^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text());
    if (status && expectedErrorDocuments.has(m.location().url)) return;
    problems.push(`${m.type()} on ${where(p.url())}: ${m.text().replace(/\?\S*/g, '?…')}`);
  });
  p.on('pageerror', (err) => problems.push(`page error on ${where(p.url())}: ${err.message}`));
  p.on('response', (r) => {
    if (r.url().startsWith(emulator.url) && r.request().resourceType() === 'document')
      documents.push({ method: r.request().method(), url: r.url(), headers: r.allHeaders() });
  });
}

function authorizeUrl(params: Record<string, string>): string {
  return `${emulator.url}/organizations/oauth2/v2.0/authorize?${new URLSearchParams({
    client_id: SAMPLE_IDS.publicApp,
    redirect_uri: `${client.origin}/`,
    response_type: 'code',
    scope: 'openid profile User.Read',
    ...params,
  })}`;
}

/** Pages opened in a context with JavaScript disabled. */
const scriptless = new WeakSet<Page>();

/**
 * `tag#id[text]` of the focused element, or `body`. Read after the next animation frame: Chromium applies
 * `autofocus` in a rendering update, which under load can come after the load event that `goto` waits for.
 */
async function focused(p: Page): Promise<string> {
  // Pages without scripts run no animation frames; they have no autofocus to wait for either.
  if (!scriptless.has(p))
    await p.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
  return p.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const text =
      el.tagName === 'BUTTON' || el.tagName === 'A'
        ? // innerText: the rendered text, as it is read out
          `[${(el as HTMLElement).innerText.trim().replace(/\s+/g, ' ')}]`
        : '';
    const role = el.getAttribute('role') ? `(${el.getAttribute('role')})` : '';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${role}${text}`;
  });
}

/** The focused element on load, then after each of `presses` Tab presses. */
async function tabOrder(p: Page, presses: number): Promise<string[]> {
  const order = [await focused(p)];
  for (let i = 0; i < presses; i++) {
    await p.keyboard.press('Tab');
    order.push(await focused(p));
  }
  return order;
}

/**
 * Screenshot plus the checks every page must pass: html[lang], exactly one h1, a label for every visible
 * form control, an accessible name for every button and link, and no console error or CSP violation so far.
 */
async function checkPage(p: Page, name: string, h1: RegExp): Promise<void> {
  await p.waitForLoadState('load');
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  assert.match((await p.locator('html').getAttribute('lang')) ?? '', /^[a-z]{2}/, `${name}: html[lang]`);
  assert.equal(await p.locator('h1').count(), 1, `${name}: exactly one h1`);
  assert.match((await p.locator('h1').textContent()) ?? '', h1, `${name}: h1 text`);
  const unlabelled = await p.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'))
      .filter((i) => i.type !== 'hidden' && i.getClientRects().length > 0)
      .filter((i) => !i.labels?.length && !i.getAttribute('aria-label') && !i.getAttribute('aria-labelledby'))
      .map((i) => i.name || i.id || i.outerHTML.slice(0, 60)),
  );
  assert.deepEqual(unlabelled, [], `${name}: every visible input has a label`);
  const nameless = await p.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('button, a[href], [tabindex]'))
      .filter((e) => e.getClientRects().length > 0)
      .filter(
        (e) =>
          !(e.textContent ?? '').trim() &&
          !e.getAttribute('aria-label') &&
          !e.getAttribute('aria-labelledby'),
      )
      .map((e) => e.outerHTML.slice(0, 60)),
  );
  assert.deepEqual(nameless, [], `${name}: every button, link and focusable region has an accessible name`);
  assert.deepEqual(problems, [], `${name}: no console errors or CSP violations`);
}

async function submitLogin(p: Page, user: { username: string; password: string }): Promise<void> {
  await p.getByLabel('Username').fill(user.username);
  await p.getByLabel('Password').fill(user.password);
  await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Sign in' }).click()]);
}

function lastArrival(): Arrival {
  const a = client.arrivals.at(-1);
  assert.ok(a, 'the client received a request');
  return a;
}

describe('emulator pages in headless Chromium', { timeout: 240_000 }, () => {
  before(async () => {
    emulator = await startEmulator({ log: (line) => logs.push(line) });
    client = await startClient();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    await context.addInitScript(VIOLATION_LISTENER);
    page = await context.newPage();
    watch(page);
  });

  after(async () => {
    await browser?.close();
    client?.server.closeAllConnections();
    client?.server.close();
    await emulator?.close();
  });

  it('login page: labels, focus order username → password → Sign in', async () => {
    await page.goto(authorizeUrl({ state: 'first', prompt: 'login' }));
    await checkPage(page, 'login', /^Sign in$/);
    assert.deepEqual(await tabOrder(page, 2), ['input#username', 'input#password', 'button[Sign in]']);
    assert.equal(await page.getByLabel('Username').getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('Password').getAttribute('type'), 'password');
  });

  it('login page with an error: alert tied to the fields, focus on the password', async () => {
    await page.getByLabel('Username').fill(ALICE.username);
    await page.getByLabel('Password').fill('wrong password');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await checkPage(page, 'login-error', /^Sign in$/);
    const alert = page.getByRole('alert');
    assert.match((await alert.textContent()) ?? '', /AADSTS50126/);
    const alertId = await alert.getAttribute('id');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), alertId);
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Username').inputValue(), ALICE.username, 'the username is kept');
    assert.deepEqual(await tabOrder(page, 1), ['input#password', 'button[Sign in]']);
  });

  it('sign-in with the keyboard only (type + Tab + Enter), then consent with the keyboard', async () => {
    await page.goto(authorizeUrl({ state: 'keyboard', prompt: 'login' }));
    assert.equal(await focused(page), 'input#username');
    await page.keyboard.type(ALICE.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ALICE.password);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // Alice has not consented to the sample native app yet.
    await checkPage(page, 'consent', /^Permissions requested$/);
    assert.deepEqual(await tabOrder(page, 2), ['body', 'button[Cancel]', 'button[Accept]']);
    assert.match((await page.locator('main').textContent()) ?? '', /alice@contoso\.onmicrosoft\.com/);
    await Promise.all([page.waitForURL(`${client.origin}/**`), page.keyboard.press('Enter')]);
    const arrival = lastArrival();
    assert.equal(arrival.method, 'GET');
    assert.ok(arrival.fields['code'], 'the client got a code');
    assert.equal(arrival.fields['state'], 'keyboard');
    assert.deepEqual(problems, [], 'no CSP violation on the redirect after the consent POST');
  });

  it('the login POST redirects to a loopback client on a random port (form-action allows it)', async () => {
    await page.goto(authorizeUrl({ state: 'direct', prompt: 'login' }));
    const csp = (await documents.at(-1)?.headers)?.['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`form-action 'self' ${client.origin.replace(/\./g, '\\.')}(;|$)`));
    await page.getByLabel('Username').fill(ALICE.username);
    await page.getByLabel('Password').fill(ALICE.password);
    await Promise.all([
      page.waitForURL(`${client.origin}/**`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(new URL(page.url()).origin, client.origin);
    const arrival = lastArrival();
    assert.ok(arrival.fields['code']);
    assert.equal(arrival.fields['state'], 'direct');
    assert.deepEqual(problems, []);
  });

  it('account picker after signing in as two users, then prompt=select_account', async () => {
    await page.goto(authorizeUrl({ state: 'bob', prompt: 'login' }));
    await submitLogin(page, BOB);
    await checkPage(page, 'consent-bob', /^Permissions requested$/);
    await Promise.all([
      page.waitForURL(`${client.origin}/**`),
      page.getByRole('button', { name: 'Accept' }).click(),
    ]);
    assert.equal(lastArrival().fields['state'], 'bob');

    await page.goto(authorizeUrl({ state: 'picked', prompt: 'select_account' }));
    await checkPage(page, 'account-picker', /^Pick an account$/);
    const order = await tabOrder(page, 3);
    assert.equal(order[0], 'body');
    assert.match(order[1]!, /^button\[Bob Brown bob@contoso\.onmicrosoft\.com\]$/);
    assert.match(order[2]!, /^button\[Alice Adams alice@contoso\.onmicrosoft\.com\]$/);
    assert.equal(order[3], 'button[Use another account]');
    await page.keyboard.press('Shift+Tab');
    assert.match(await focused(page), /Alice Adams/);
    await Promise.all([page.waitForURL(`${client.origin}/**`), page.keyboard.press('Enter')]);
    assert.equal(lastArrival().fields['state'], 'picked');
    assert.ok(lastArrival().fields['code']);
    assert.deepEqual(problems, []);
  });

  it('device code entry (with and without an error) and the done page', async () => {
    const res = await fetch(`${emulator.url}/organizations/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'User.Read' }),
    });
    const device = (await res.json()) as { user_code: string; device_code: string; verification_uri: string };
    assert.equal(res.status, 200);
    await page.goto(device.verification_uri);
    await checkPage(page, 'device-code', /^Enter code$/);
    assert.deepEqual(await tabOrder(page, 1), ['input#user_code', 'button[Next]']);

    await page.getByLabel('Code').fill('WRONGCODE');
    await Promise.all([page.waitForNavigation(), page.getByLabel('Code').press('Enter')]);
    await checkPage(page, 'device-code-error', /^Enter code$/);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /didn't work/);
    assert.equal(await page.getByLabel('Code').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Code').fill(device.user_code.toLowerCase());
    await Promise.all([page.waitForNavigation(), page.getByLabel('Code').press('Enter')]);
    // Two accounts are signed in in this browser: the device request asks which one.
    await checkPage(page, 'device-account-picker', /^Pick an account$/);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /Alice Adams/ }).click()]);
    // S86: before approving, a page names the app and asks.
    await checkPage(page, 'device-confirm', /^Are you trying to sign in to Sample native app\?$/);
    assert.deepEqual(await tabOrder(page, 2), ['body', 'button[Cancel]', 'button[Continue]']);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()]);
    await checkPage(page, 'device-done', /^Signed in$/);
    assert.match((await page.locator('main').textContent()) ?? '', /Sample native app/);

    const token = await fetch(`${emulator.url}/organizations/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: SAMPLE_IDS.publicApp,
        device_code: device.device_code,
      }),
    });
    assert.equal(token.status, 200, 'the device gets its tokens');
    await token.body?.cancel();
  });

  it('form_post: the auto-submit page posts code and state to the loopback client', async () => {
    const query = {
      client_id: SAMPLE_IDS.webApp,
      redirect_uri: `${client.origin}/auth/callback`,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'openid User.Read',
    };
    // With scripts: signed in (SSO), Alice consents to the web app, and the page submits itself.
    await page.goto(authorizeUrl({ ...query, state: 'posted', login_hint: ALICE.username }));
    await checkPage(page, 'consent-web-app', /^Permissions requested$/);
    await Promise.all([
      page.waitForURL(`${client.origin}/auth/callback`),
      page.getByRole('button', { name: 'Accept' }).click(),
    ]);
    const posted = lastArrival();
    assert.equal(posted.method, 'POST');
    assert.equal(posted.path, '/auth/callback');
    assert.ok(posted.fields['code'], 'the POST carries the code');
    assert.equal(posted.fields['state'], 'posted');
    const formPost = documents.findLast((d) => d.method === 'POST' && d.url.endsWith('/_ui/consent'));
    const csp = (await formPost?.headers)?.['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'sha256-/);
    assert.match(csp, new RegExp(`form-action ${client.origin.replace(/\./g, '\\.')}(;|$)`));
    assert.deepEqual(problems, []);

    // Without scripts: the same page shows a Continue button (screenshot of the page itself).
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    await noScript.addCookies(await context.cookies());
    const p = await noScript.newPage();
    scriptless.add(p);
    watch(p);
    await p.goto(authorizeUrl({ ...query, state: 'noscript', login_hint: ALICE.username }));
    await checkPage(p, 'form-post', /^Continuing sign-in$/);
    assert.deepEqual(await tabOrder(p, 1), ['body', 'button[Continue]']);
    await Promise.all([p.waitForURL(`${client.origin}/auth/callback`), p.keyboard.press('Enter')]);
    assert.equal(lastArrival().method, 'POST');
    assert.equal(lastArrival().fields['state'], 'noscript');
    assert.ok(lastArrival().fields['code']);
    await noScript.close();
    assert.deepEqual(problems, []);
  });

  it('error page for an unknown client id', async () => {
    const url = authorizeUrl({ client_id: '00000000-0000-4000-8000-000000000000' });
    expectedErrorDocuments.add(url);
    const response = await page.goto(url);
    assert.equal(response?.status(), 400);
    await checkPage(page, 'error', /having trouble signing you in/);
    assert.match((await page.locator('main').textContent()) ?? '', /AADSTS700016/);
    assert.equal(await page.locator('h2').count(), 1, 'the details have their own heading');
  });

  it('signed-out page after logout (asked first: no id_token_hint says the app asked)', async () => {
    await page.goto(
      `${emulator.url}/common/oauth2/v2.0/logout?${new URLSearchParams({
        client_id: SAMPLE_IDS.publicApp,
        post_logout_redirect_uri: 'https://unregistered.example/',
      })}`,
    );
    await checkPage(page, 'sign-out', /^Sign out$/);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
    await checkPage(page, 'signed-out', /^You have signed out$/);
    assert.match((await page.locator('main').textContent()) ?? '', /Sample native app/);
    assert.equal(
      await page.locator('a[href^="https://unregistered.example"]').count(),
      0,
      'no link to an unregistered URI',
    );
    // The SSO session is gone: the next sign-in shows the login page again.
    await page.goto(authorizeUrl({ state: 'after-logout' }));
    assert.equal(await page.locator('h1').textContent(), 'Sign in');
  });

  it('admin page', async () => {
    await page.goto(`${emulator.url}/_emulator/`);
    await checkPage(page, 'admin', /^tokenloop emulator$/);
    const order = await tabOrder(page, 7);
    assert.deepEqual(order, [
      'body',
      'div(region)',
      'div(region)',
      'div(region)',
      'div(region)',
      'div(region)',
      'div(region)',
      'body',
    ]);
    const captions = await page.locator('caption').allTextContents();
    assert.deepEqual(
      captions.map((c) => c.replace(/ \(\d+\)$/, '')),
      ['Tenants', 'Apps', 'Users', 'Sessions', 'Issued tokens', 'Token endpoint requests'],
    );
  });

  it('serves every page with CSP default-src none, X-Frame-Options DENY and no referrer to other origins', async () => {
    const html = [];
    for (const d of documents) {
      const headers = await d.headers;
      if (!String(headers['content-type']).startsWith('text/html')) continue;
      html.push(d);
      const where = `${d.method} ${new URL(d.url).pathname}`;
      assert.match(headers['content-security-policy'] ?? '', /(^|; )default-src 'none'(;|$)/, where);
      assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/, where);
      assert.equal(headers['x-frame-options'], 'DENY', where);
      // same-origin: no Referer leaves the emulator, and its own form posts carry their real Origin (S85).
      assert.equal(headers['referrer-policy'], 'same-origin', where);
      assert.equal(headers['x-content-type-options'], 'nosniff', where);
    }
    assert.ok(html.length >= 15, `checked ${html.length} HTML responses`);
    assert.deepEqual(problems, [], 'no console errors or CSP violations on any page');
    assert.deepEqual(logs, [], 'the emulator logged no internal error');
  });
});
