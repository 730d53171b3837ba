// One whole sign-in through the app and the emulator (auto-login), stopping at the app's last answer so that its
// Location is read, never followed (it could point anywhere).
import assert from 'node:assert/strict';
import type { Browser, TestApp } from './web-app.js';

/**
 * `GET /auth/login?returnTo=…` → the emulator's authorize endpoint (which signs in at once) → the app's callback.
 * Returns the callback's Location header exactly as sent.
 */
export async function signInReturnLocation(
  browser: Browser,
  app: TestApp,
  returnTo: string,
): Promise<string> {
  const start = await browser.request(`${app.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(start.status, 302, `login answered ${start.status}`);
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const callback = authorize.headers.get('location');
  assert.ok(callback?.startsWith(`${app.url}/auth/callback?`), `authorize answered ${authorize.status}`);
  const done = await browser.request(callback!);
  assert.equal(done.status, 303, `callback answered ${done.status}`);
  return done.headers.get('location')!;
}
