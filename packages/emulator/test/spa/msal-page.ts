/**
 * The test's hands on the single-page app (spa-app.ts) in Chromium: calls msal-browser's own API in the page,
 * signs a person in on the emulator's pages in MSAL's popup or after its redirect, and records every request the
 * browser made to the emulator's token endpoint (URL and headers, never the body: it holds codes and tokens).
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page, Request } from 'playwright-core';

export interface Person {
  username: string;
  password: string;
}

/** What the page returns for an MSAL call: a result summary (claims, flags) or MSAL's error fields. */
export interface MsalOutcome {
  failed?: true;
  name?: string;
  errorCode?: string;
  subError?: string;
  interactionRequired?: boolean;
  message?: string;
  done?: true;
  username?: string;
  homeAccountId?: string;
  fromCache?: boolean;
  scopes?: string[];
  idTokenClaims?: Record<string, unknown>;
  accessTokenClaims?: Record<string, unknown>;
}

const STEP_TIMEOUT_MS = 15_000;

/** Opens the app page and waits until MSAL has initialised (and handled a returning redirect). */
export async function openApp(page: Page, url: string): Promise<MsalOutcome | null> {
  await page.goto(url);
  return page.evaluate(
    () => (window as unknown as { spa: { ready: Promise<MsalOutcome | null> } }).spa.ready,
  );
}

/** Calls `pca[method](request)` in the page; `withAccount` adds the signed-in account to the request. */
export function msal(
  page: Page,
  method: string,
  request: Record<string, unknown>,
  withAccount = false,
): Promise<MsalOutcome> {
  return page.evaluate(
    ([m, r, a]) =>
      (
        window as unknown as {
          spa: { call(m: string, r: unknown, a: boolean): Promise<MsalOutcome> };
        }
      ).spa.call(m, r, a),
    [method, request, withAccount] as const,
  );
}

/** The usernames of the accounts in MSAL's cache. */
export function cachedAccounts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { spa: { accounts(): string[] } }).spa.accounts());
}

/** Calls `url` from the page with a bearer token from acquireTokenSilent (the Graph call of Microsoft's samples). */
export function callApi(
  page: Page,
  url: string,
  scopes: string[],
): Promise<{ status?: number; body?: Record<string, unknown> } & MsalOutcome> {
  return page.evaluate(
    ([u, s]) =>
      (
        window as unknown as {
          spa: { callApi(u: string, s: string[]): Promise<{ status?: number } & MsalOutcome> };
        }
      ).spa.callApi(u, s),
    [url, scopes] as const,
  );
}

async function heading(page: Page): Promise<string> {
  return ((await page.locator('h1').first().textContent({ timeout: STEP_TIMEOUT_MS })) ?? '').trim();
}

/**
 * A person at the emulator's pages in `page` (MSAL's popup, or the app's own tab after loginRedirect): signs in,
 * accepts consent, until the page leaves the emulator or closes. Returns the headings seen.
 */
export async function signInAtEmulator(
  page: Page,
  emulatorOrigin: string,
  person: Person,
): Promise<string[]> {
  const seen: string[] = [];
  await page.waitForURL((u) => u.origin === emulatorOrigin, { timeout: STEP_TIMEOUT_MS });
  for (let step = 0; step < 6; step++) {
    if (page.isClosed() || new URL(page.url()).origin !== emulatorOrigin) return seen;
    const h1 = await heading(page);
    seen.push(h1);
    const alert = page.getByRole('alert');
    if (await alert.count()) throw new Error(`the '${h1}' page says: ${await alert.first().textContent()}`);
    const from = page.url();
    // The page goes on to another page, or back to the app (MSAL may then close its popup).
    const leaves = (button: string) =>
      Promise.all([
        page.waitForURL((u) => u.href !== from, { timeout: STEP_TIMEOUT_MS }).catch(() => {}),
        page.getByRole('button', { name: button }).click(),
      ]);
    if (h1 === 'Sign in') {
      await page.getByLabel('Username').fill(person.username);
      await page.getByLabel('Password').fill(person.password);
      await leaves('Sign in');
    } else if (h1 === 'Permissions requested') await leaves('Accept');
    else if (h1 === 'Sign out') await leaves('Sign out');
    else if (h1 === 'You have signed out') return seen;
    else throw new Error(`unexpected emulator page '${h1}'`);
  }
  throw new Error(`still at the emulator after ${seen.join(' → ')}`);
}

/** A request the browser sent to the token endpoint, as it went on the wire. */
export interface TokenRequestSeen {
  url: URL;
  method: string;
  headers: Record<string, string>;
  frame: 'page' | 'other';
}

/** Records the browser's token-endpoint requests in `context` (all pages, popups and frames) into `seen`. */
export function recordTokenRequests(
  context: BrowserContext,
  emulatorOrigin: string,
  seen: TokenRequestSeen[],
): void {
  context.on('request', (req: Request) => {
    const url = new URL(req.url());
    if (url.origin !== emulatorOrigin || !url.pathname.endsWith('/oauth2/v2.0/token')) return;
    const entry: TokenRequestSeen = { url, method: req.method(), headers: {}, frame: 'other' };
    seen.push(entry);
    void req.allHeaders().then((h) => {
      entry.headers = h;
    });
    try {
      entry.frame = req.frame().parentFrame() === null ? 'page' : 'other';
    } catch {
      // a service worker's request has no frame
    }
  });
}

/** Waits until every recorded request's headers are known. */
export async function settled(seen: TokenRequestSeen[]): Promise<void> {
  for (let i = 0; i < 50 && seen.some((s) => Object.keys(s.headers).length === 0); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(
    seen.every((s) => Object.keys(s.headers).length > 0),
    'headers of every token request known',
  );
}
