// Open redirects after sign-in (finding 2 of the security review; S10): the return target that is finally sent
// in Location is what is checked. A corpus of known open-redirect payloads goes through the whole login round
// trip against the emulator on both adapters, and through every other way a return target enters (loginUrl,
// safeReturnTo, the configured paths).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebAuthConfigError, createWebAuth, safeReturnTo } from '@tokenloop/web';
import {
  OPEN_REDIRECT_PAYLOADS,
  SAFE_RETURN_TARGETS,
  expandPayload,
} from './support/open-redirect-payloads.js';
import { signInReturnLocation } from './support/sign-in-round-trip.js';
import { app, useSignInApp } from './support/signed-in-app.js';
import { Browser } from './support/web-app.js';

/** Decode percent-escapes byte by byte until nothing changes (double encoding); malformed escapes stay. */
function fullyDecoded(value: string): string {
  let current = value;
  for (let i = 0; i < 5; i++) {
    const next = current.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

/** What a browser would do with `location` on `appOrigin`: it must stay there, as a plain same-origin path. */
function assertStaysOnApp(location: string, appOrigin: string, payload: string): void {
  const why = `${JSON.stringify(payload)} → Location ${JSON.stringify(location)}`;
  assert.ok(location.startsWith('/'), why);
  assert.ok(!/^[/\\]{2}|^\/\\/.test(location), why);
  assert.doesNotMatch(location, /[\u0000-\u0020\u007f-\uffff\\]/, why);
  assert.equal(new URL(location, appOrigin).origin, appOrigin, why);
  const decoded = fullyDecoded(location);
  assert.ok(!/^[/\\][/\\]/.test(decoded), `${why} decodes to ${JSON.stringify(decoded)}`);
  assert.doesNotMatch(
    decoded,
    /^\/\s*[/\\]|[\u0000-\u001f\u007f]/,
    `${why} decodes to a blank first segment or a control character`,
  );
}

assert.ok(OPEN_REDIRECT_PAYLOADS.length >= 40, 'the corpus keeps at least 40 payloads');

for (const adapter of ['express', 'fastify'] as const) {
  describe(`S10 return targets (${adapter})`, () => {
    useSignInApp({ adapter });

    it('S10 the report: /.//evil.example/phish and its relatives end the sign-in on the app, not on evil.example', async () => {
      for (const payload of [
        '/.//evil.example/phish',
        '/..//evil.example/phish',
        '/%2e//evil.example/phish',
        '/a/..//evil.example/phish',
      ]) {
        const location = await signInReturnLocation(new Browser(), app, payload);
        assert.equal(location, '/', `${payload} → ${location}`);
      }
    });

    it(`S10 every payload of the open-redirect corpus (${OPEN_REDIRECT_PAYLOADS.length}) through the whole login round trip ends on the app's origin`, async () => {
      for (const raw of OPEN_REDIRECT_PAYLOADS) {
        const payload = expandPayload(raw, app.url);
        const location = await signInReturnLocation(new Browser(), app, payload);
        assertStaysOnApp(location, app.url, payload);
      }
    });

    it('S10 same-origin targets survive the round trip', async () => {
      for (const [input, expected] of SAFE_RETURN_TARGETS) {
        assert.equal(await signInReturnLocation(new Browser(), app, input), expected, input);
      }
    });

    it('S10 every other way in: loginUrl, safeReturnTo and its result fed back give only same-origin paths', () => {
      for (const raw of OPEN_REDIRECT_PAYLOADS) {
        const payload = expandPayload(raw, app.url);
        const target = safeReturnTo(payload, app.url);
        assertStaysOnApp(target, app.url, payload);
        assert.equal(safeReturnTo(target, app.url), target, `not a fixed point: ${JSON.stringify(payload)}`);
        const login = new URL(app.auth.loginUrl(payload), app.url);
        assert.equal(login.origin, app.url);
        assertStaysOnApp(login.searchParams.get('returnTo')!, app.url, payload);
      }
    });
  });
}

describe('S10 configured paths', () => {
  it('S10 loginPath, callbackPath, logoutPath and postLogoutPath that could leave the app are refused at start-up', () => {
    for (const name of ['loginPath', 'callbackPath', 'logoutPath', 'postLogoutPath']) {
      for (const bad of ['//evil.example', '/.//evil.example', '/a/..//evil.example', '/..', 'x']) {
        assert.throws(
          () =>
            createWebAuth({
              authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
              clientId: 'c',
              clientSecret: 's',
              baseUrl: 'http://127.0.0.1:3000',
              [name]: bad,
            }),
          (e: unknown) => e instanceof WebAuthConfigError && e.message.includes(name),
          `${name}=${bad}`,
        );
      }
    }
  });
});
