/**
 * A person at the emulator's pages, in real Chromium: enters a device code, signs in, accepts consent, and
 * follows the redirect (or the form_post auto-submit) back to the app. Records the page headings seen.
 */
import { join } from 'node:path';
import type { Locator, Page, Request, Response } from 'playwright-core';
import { artifactDir } from '../support/browser.ts';

export interface Person {
  username: string;
  password: string;
}

const STEP_TIMEOUT_MS = 10_000;
const MAX_STEPS = 8;

async function heading(page: Page): Promise<string> {
  return ((await page.locator('h1').first().textContent({ timeout: STEP_TIMEOUT_MS })) ?? '').trim();
}

/**
 * Goes through the emulator's pages starting at `startUrl` until the browser leaves `emulatorOrigin` (back at
 * the app's redirect URI) or, for a device code, reaches the "Signed in" page. Returns the headings seen, in
 * order, and where the browser went afterwards. Fails on any page it does not expect (an error page, a
 * declined sign-in) and on any page showing an error message (a wrong password, an unknown code).
 */
export async function signInAtEmulator(
  page: Page,
  startUrl: string,
  emulatorOrigin: string,
  person: Person,
  userCode?: string,
): Promise<SignInTrace> {
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const trace: SignInTrace = { seen: [], arrivals: [] };
  const onRequest = (req: Request) => {
    if (!req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
    const u = new URL(req.url());
    if (u.origin !== emulatorOrigin) trace.arrivals.push(`${req.method()} ${u.origin}${u.pathname}`);
  };
  page.on('request', onRequest);
  try {
    await walk(page, startUrl, emulatorOrigin, person, trace.seen, userCode);
  } catch (err) {
    // Where it stopped, for whoever reads the failure: artifacts/msal/.
    const shot = join(artifactDir('msal'), `sign-in-failure-${Date.now()}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    throw new Error(
      `${(err as Error).message} (after ${trace.seen.join(' → ') || 'no page'}; screenshot ${shot})`,
      {
        cause: err,
      },
    );
  } finally {
    page.off('request', onRequest);
  }
  return trace;
}

/** What the browser went through: emulator page headings, then navigations away from the emulator. */
export interface SignInTrace {
  /** Headings of the emulator pages answered (the self-submitting form_post page is not counted). */
  seen: string[];
  /** `METHOD origin/path` of each top-level navigation away from the emulator (the redirect to the app). */
  arrivals: string[];
}

/**
 * Clicks `button` and waits for the page it leads to. Resolves true when the browser left the emulator, the app
 * answered its redirect URI, and where that answer led failed to load: the sign-in ended at the app's answer,
 * and what follows it is the app's business. MSAL Node's loopback server answers the code with a redirect to its
 * own root and stops listening once it has redeemed the code, so a browser slower than that redemption finds
 * nothing listening there (net::ERR_CONNECTION_REFUSED), as a person's browser can after signing in at Entra.
 */
async function submit(page: Page, emulatorOrigin: string, button: Locator): Promise<boolean> {
  let appAnswered = false;
  const onResponse = (res: Response) => {
    const req = res.request();
    const toApp = new URL(res.url()).origin !== emulatorOrigin;
    if (toApp && req.isNavigationRequest() && req.frame() === page.mainFrame()) appAnswered = true;
  };
  page.on('response', onResponse);
  try {
    await Promise.all([page.waitForNavigation(), button.click()]);
    return false;
  } catch (err) {
    if (appAnswered) return true;
    throw err;
  } finally {
    page.off('response', onResponse);
  }
}

async function walk(
  page: Page,
  startUrl: string,
  emulatorOrigin: string,
  person: Person,
  seen: string[],
  userCode: string | undefined,
): Promise<void> {
  await page.goto(startUrl);
  for (let step = 0; step < MAX_STEPS; step++) {
    if (new URL(page.url()).origin !== emulatorOrigin) return;
    const h1 = await heading(page);
    const alert = page.getByRole('alert');
    if (await alert.count()) {
      throw new Error(`the '${h1}' page says: ${((await alert.first().textContent()) ?? '').trim()}`);
    }
    if (h1 !== 'Continuing sign-in') seen.push(h1);
    // S86: the device flow asks "Are you trying to sign in to <app>?" before approving the code.
    switch (h1.startsWith('Are you trying to sign in to ') ? 'Confirm device sign-in' : h1) {
      case 'Enter code':
        if (!userCode) throw new Error('device code page without a user code');
        await page.getByLabel('Code').fill(userCode);
        if (await submit(page, emulatorOrigin, page.getByRole('button', { name: 'Next' }))) return;
        break;
      case 'Sign in':
        await page.getByLabel('Username').fill(person.username);
        await page.getByLabel('Password').fill(person.password);
        if (await submit(page, emulatorOrigin, page.getByRole('button', { name: 'Sign in' }))) return;
        break;
      case 'Confirm device sign-in':
        if (await submit(page, emulatorOrigin, page.getByRole('button', { name: 'Continue' }))) return;
        break;
      case 'Permissions requested':
        if (await submit(page, emulatorOrigin, page.getByRole('button', { name: 'Accept' }))) return;
        break;
      case 'Continuing sign-in':
        // response_mode=form_post: the page posts itself to the redirect URI.
        await page.waitForURL((u) => u.origin !== emulatorOrigin);
        break;
      case 'Signed in':
        return;
      default:
        throw new Error(
          `unexpected page '${h1}': ${((await page.locator('main').textContent()) ?? '').trim().slice(0, 300)}`,
        );
    }
  }
  throw new Error(`sign-in did not finish within ${MAX_STEPS} pages: ${seen.join(' → ')}`);
}
