// Sign-in middleware over HTTP (S10, S52, S54–S57), incremental consent, session expiry, and a second app
// instance behind the same Redis serving the signed-in user.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { safeReturnTo, WebAuthConfigError, createWebAuth } from '@tokenloop/web';
import { type TwoInstances, startTwoInstances } from './support/two-instances.js';
import { recordNamesOf } from './support/records.js';
import { ALICE, app, em, signIn, store, useSignInApp, whoAmI } from './support/signed-in-app.js';
import { Browser, type TestApp } from './support/web-app.js';

const API_SCOPE = `api://${SAMPLE_IDS.apiApp}/access_as_user`;

for (const adapter of ['express', 'fastify'] as const) {
  describe(`sign-in middleware (${adapter})`, () => {
    useSignInApp({ adapter, apiScope: API_SCOPE });

    it('signs in, keeps the session, reads Graph, and comes back to the page that asked (requireSignIn)', async () => {
      const b = new Browser();
      const { res, visited } = await b.go(`${app.url}/me`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { displayName: 'Alice Adams' });
      assert.ok(visited.some((u) => u.startsWith(`${em.url}/${SAMPLE_IDS.contoso}/oauth2/v2.0/authorize`)));
      assert.equal(visited.at(-1), `${app.url}/me`);
      assert.equal(await whoAmI(b), ALICE);
    });

    it('incremental consent: a token for another API sends the user through the provider and back', async () => {
      const b = await signIn();
      const { res, visited } = await b.go(`${app.url}/api-call`);
      assert.equal(res.status, 200);
      assert.ok(
        visited.some((u) => u.includes('/auth/login?returnTo=%2Fapi-call&scopes=')),
        visited.join('\n'),
      );
      assert.deepEqual(((await res.json()) as { scopes: string[] }).scopes, [API_SCOPE.toLowerCase()]);
    });

    it('S10: return targets that could leave the app become "/"', async () => {
      for (const bad of [
        '//evil.example',
        '/\\evil.example',
        'https:evil.example',
        '/\t/evil.example',
        'https://evil.example/',
        '/%5C%5Cevil',
      ]) {
        const target = safeReturnTo(bad, app.url);
        assert.ok(
          target === '/' ||
            (target.startsWith('/') &&
              !target.startsWith('//') &&
              new URL(target, app.url).origin === app.url),
          `${JSON.stringify(bad)} → ${target}`,
        );
      }
      assert.equal(safeReturnTo('//evil.example', app.url), '/');
      assert.equal(safeReturnTo('/\\evil.example', app.url), '/');
      assert.equal(safeReturnTo('https:evil.example', app.url), '/');
      assert.equal(safeReturnTo('/\t/evil.example', app.url), '/');
      assert.equal(safeReturnTo('/profile?tab=1#x', app.url), '/profile?tab=1#x');
      const b = new Browser();
      const { visited } = await b.go(
        `${app.url}/auth/login?returnTo=${encodeURIComponent('//evil.example/x')}`,
      );
      assert.equal(visited.at(-1), `${app.url}/`);
    });

    it('S52: the redirect URI comes from baseUrl, never from Host / X-Forwarded-* headers', async () => {
      const b = new Browser();
      const res = await b.request(`${app.url}/auth/login`, {
        headers: {
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
          'x-forwarded-for': '1.2.3.4',
        },
      });
      const authorize = new URL(res.headers.get('location')!);
      assert.equal(authorize.searchParams.get('redirect_uri'), `${app.url}/auth/callback`);
    });

    it('S54: sign-in issues a new session id (a planted one is not adopted); sign-out destroys the session', async () => {
      const b = new Browser();
      b.cookies.set('tl_session', 'attacker-chosen-session-id');
      await signIn(b);
      const id = b.cookies.get('tl_session')!;
      assert.ok(id && id !== 'attacker-chosen-session-id' && id.length >= 40);
      assert.ok(await store.get(recordNamesOf(app.auth).session(id)));
      const out = await b.request(`${app.url}/auth/logout`, { method: 'POST', headers: { origin: app.url } });
      assert.equal(out.status, 303);
      assert.match(out.headers.get('location')!, /\/oauth2\/v2\.0\/logout\?/);
      assert.equal(await store.get(recordNamesOf(app.auth).session(id)), undefined);
      // The server-side tokens go with the user's last session, or with "sign out everywhere" (S66:
      // session-signout.test.ts); other tests here leave sessions of the same user.
      b.cookies.set('tl_session', id);
      assert.equal(await whoAmI(b), 'anonymous', 'the old cookie is worthless');
    });

    it('S55: the transaction is single-use and bound to the browser that started it', async () => {
      const b = new Browser();
      const start = await b.request(`${app.url}/auth/login`);
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      const callback = authorize.headers.get('location')!;
      assert.ok(callback.startsWith(`${app.url}/auth/callback?`));
      const other = new Browser();
      assert.equal((await other.request(callback)).status, 400, 'another browser (no transaction cookie)');
      const first = await b.request(callback);
      assert.equal(first.status, 303);
      const replayBrowser = new Browser();
      replayBrowser.cookies.set(
        'tl_tx',
        b.setCookies
          .find((c) => c.startsWith('tl_tx='))!
          .split(';')[0]!
          .slice('tl_tx='.length),
      );
      assert.equal((await replayBrowser.request(callback)).status, 400, 'the same transaction twice');
    });

    it('S56: cookies are HttpOnly, SameSite=Lax, scoped; Secure except on http loopback', async () => {
      const b = await signIn();
      const tx = b.setCookies.find((c) => c.startsWith('tl_tx=') && !/Max-Age=0/i.test(c))!;
      const session = b.setCookies.find((c) => c.startsWith('tl_session=') && !/Max-Age=0/i.test(c))!;
      for (const c of [tx, session]) {
        assert.match(c, /HttpOnly/i);
        assert.match(c, /SameSite=Lax/i);
        assert.doesNotMatch(c, /Secure/i);
      }
      assert.match(tx, /Path=\/auth\/callback/);
      const https = createWebAuth({
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        clientId: SAMPLE_IDS.webApp,
        clientSecret: SAMPLE_SECRETS.webApp,
        baseUrl: 'https://app.example.test',
      });
      const r = await https.handle({
        method: 'GET',
        url: new URL('https://app.example.test/auth/login'),
        cookieHeader: undefined,
      });
      assert.match(String(r!.headers['set-cookie']), /; Secure/);
    });

    it('S57: misconfiguration fails at creation with a clear message', () => {
      const base = {
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        clientId: SAMPLE_IDS.webApp,
        clientSecret: 's',
        baseUrl: 'http://127.0.0.1:3000',
      };
      const cases: [object, RegExp][] = [
        [{ ...base, clientSecret: undefined }, /clientSecret or clientCertificate/],
        [{ ...base, clientId: '' }, /clientId is required/],
        [{ ...base, baseUrl: 'not a url' }, /baseUrl must be/],
        [{ ...base, baseUrl: 'http://app.example.com' }, /https/],
        [{ ...base, baseUrl: 'https://app.example.com/path' }, /without a path/],
        [{ ...base, issuer: 'https://idp.example' }, /exactly one of authority/],
        [{ ...base, responseMode: 'form_post' }, /form_post needs an https baseUrl/],
        [{ ...base, callbackPath: 'callback' }, /callbackPath must be a path/],
      ];
      for (const [options, message] of cases) {
        assert.throws(
          () => createWebAuth(options as never),
          (e: unknown) => e instanceof WebAuthConfigError && message.test(e.message),
          String(message),
        );
      }
    });

    it('an expired or removed session sends the user to sign in again', async () => {
      const b = await signIn();
      await store.delete(recordNamesOf(app.auth).session(b.cookies.get('tl_session')!));
      const res = await b.request(`${app.url}/me`);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/auth/login?returnTo=%2Fme');
    });

    it('an error response from the provider is shown as a failed sign-in, without a token', async () => {
      const b = new Browser();
      const start = await b.request(`${app.url}/auth/login`);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const res = await b.request(
        `${app.url}/auth/callback?error=access_denied&error_description=AADSTS65004%3A+declined&state=${state}`,
      );
      assert.equal(res.status, 400);
      const text = await res.text();
      assert.match(text, /Sign-in failed/);
      assert.match(text, /access_denied/);
    });

    it('a provider outage while the code is redeemed is 502 (try again later), not 400 (the library decides)', async () => {
      em.setScenarios({ app: SAMPLE_IDS.webApp }, { serverError: 503 }); // temporarily_unavailable
      try {
        const { res } = await new Browser().go(`${app.url}/auth/login`);
        assert.equal(res.status, 502);
        assert.match(await res.text(), /Sign-in failed/);
      } finally {
        em.setScenarios({ app: SAMPLE_IDS.webApp }, {});
      }
    });
  });

  describe(`two app instances behind the same Redis (${adapter})`, () => {
    let parts: TwoInstances;
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      parts = await startTwoInstances({ adapter, apiScope: API_SCOPE, emulator: { autoLogin: 'alice' } });
      ({ a, b } = parts);
    });
    after(() => parts?.close());

    it('a user signed in on instance A is served by instance B (session and tokens from Redis)', async () => {
      const browser = new Browser();
      await browser.go(`${a.url}/auth/login`);
      const res = await browser.request(`${b.url}/me`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { displayName: 'Alice Adams' });
      assert.equal(
        await (await browser.request(`${b.url}/`)).text(),
        'signed in as alice@contoso.onmicrosoft.com',
      );
      const logout = await browser.request(`${b.url}/auth/logout`, {
        method: 'POST',
        headers: { origin: a.url }, // the instances serve one public origin
      });
      assert.equal(logout.status, 303);
      assert.equal(await (await browser.request(`${a.url}/`)).text(), 'anonymous', 'signed out everywhere');
    });
  });
}
