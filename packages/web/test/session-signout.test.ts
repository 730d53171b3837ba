// Sign-out (finding 6 of the security review): it changes state only on a POST from the app's own pages (S65),
// a GET shows a confirmation page; one session's sign-out leaves the same user's other sessions their tokens,
// unless "sign out everywhere" was asked (S66).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordNamesOf } from './support/records.js';
import { ALICE, app, em, signIn, store, useSignInApp, whoAmI } from './support/signed-in-app.js';
import type { Browser } from './support/web-app.js';

for (const adapter of ['express', 'fastify'] as const) {
  describe(`sign-out (${adapter})`, () => {
    useSignInApp({ adapter });

    async function signedIn(): Promise<Browser> {
      const b = await signIn();
      assert.equal(await whoAmI(b), ALICE);
      return b;
    }
    const hasTokens = async () => (await app.auth.client.getAccounts()).length > 0;
    /** A Graph call with the session's server-side tokens, without following redirects (no silent re-sign-in). */
    const graphStatus = async (b: Browser) => (await b.request(`${app.url}/me`)).status;
    const signOut = (b: Browser, headers: Record<string, string>, body = '') =>
      b.request(`${app.url}/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });

    it('S65 a GET of the sign-out route changes nothing and shows a confirmation page with a POST form (strict CSP, no third-party assets)', async () => {
      const b = await signedIn();
      const res = await b.request(`${app.url}/auth/logout`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      const csp = res.headers.get('content-security-policy')!;
      for (const directive of [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        'form-action ',
      ])
        assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
      assert.doesNotMatch(csp, /script-src/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      // Same-origin POSTs from it must carry Origin: a no-referrer policy would make browsers send "null".
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
      const html = await res.text();
      assert.match(html, /<form method="post" action="\/auth\/logout">/);
      assert.match(html, /<button[^>]*>Sign out<\/button>/);
      assert.match(html, /<button name="everywhere" value="1"[^>]*>Sign out everywhere<\/button>/);
      assert.doesNotMatch(
        html,
        /<script|<link|<img|<iframe|src=|https?:\/\//i,
        'no assets, no other origins',
      );
      assert.equal(await whoAmI(b), ALICE, 'still signed in');
      assert.equal(await graphStatus(b), 200, 'tokens still there');
      assert.equal((await signOut(b, { origin: app.url })).status, 303);
    });

    it("S65 a sign-out POST that does not come from the app's own pages is refused and changes nothing", async () => {
      const b = await signedIn();
      const sameSite = `http://127.0.0.1:${new URL(em.url).port}`; // another port: same site, other origin
      const refused: Record<string, string>[] = [
        {}, // neither Origin nor Sec-Fetch-Site
        { origin: 'https://evil.example' },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        { origin: sameSite, 'sec-fetch-site': 'same-site' },
        { origin: sameSite },
        { origin: 'null' },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
        { origin: app.url, 'sec-fetch-site': 'cross-site' },
        { origin: `${app.url}.evil.example` },
        { origin: app.url.replace('127.0.0.1', 'localhost') },
      ];
      for (const headers of refused) {
        for (const body of ['', 'everywhere=1']) {
          const res = await signOut(b, headers, body);
          assert.equal(res.status, 403, JSON.stringify(headers));
          assert.match(await res.text(), /<form method="post" action="\/auth\/logout">/, 'offers to confirm');
          assert.equal(await whoAmI(b), ALICE, `${JSON.stringify(headers)} ${body}: still signed in`);
          assert.equal(await graphStatus(b), 200, `${JSON.stringify(headers)} ${body}: tokens still there`);
        }
      }
      assert.equal((await signOut(b, { origin: app.url })).status, 303);
    });

    it("S65 a sign-out POST from the app's own page signs out (Origin, or Sec-Fetch-Site: same-origin)", async () => {
      const accepted: Record<string, string>[] = [
        { origin: app.url },
        { origin: app.url, 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'same-origin' },
        { origin: 'null', 'sec-fetch-site': 'same-origin' },
      ];
      for (const headers of accepted) {
        const b = await signedIn();
        const id = b.cookies.get('tl_session')!;
        const res = await signOut(b, headers);
        assert.equal(res.status, 303, JSON.stringify(headers));
        assert.match(res.headers.get('location')!, /\/oauth2\/v2\.0\/logout\?/);
        assert.equal(await store.get(recordNamesOf(app.auth).session(id)), undefined, 'session destroyed');
        b.cookies.set('tl_session', id);
        assert.equal(await whoAmI(b), 'anonymous', 'the old cookie is worthless');
      }
    });

    it('S65 sweep: no cross-site request to any sign-in route, with any method or body, ends the session or removes the tokens', async () => {
      const b = await signedIn();
      const cross = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
      const paths = ['/auth/login', '/auth/callback', '/auth/logout', '/auth/logout/', '/AUTH/LOGOUT', '/'];
      for (const path of paths) {
        for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']) {
          for (const body of [undefined, 'everywhere=1', 'code=x&state=y']) {
            if ((method === 'GET' || method === 'HEAD') && body) continue;
            await b.request(`${app.url}${path}?everywhere=1`, {
              method,
              headers: { ...cross, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
              ...(body ? { body } : {}),
            });
            const where = `${method} ${path} ${body ?? ''}`;
            assert.equal(await whoAmI(b), ALICE, `${where}: still signed in`);
            assert.equal(await graphStatus(b), 200, `${where}: tokens still there`);
          }
        }
      }
      assert.equal((await signOut(b, { origin: app.url })).status, 303);
    });

    it("S66 one session's sign-out leaves the same user's other sessions their server-side tokens; the last one removes them", async () => {
      const first = await signedIn();
      const second = await signedIn();
      assert.equal((await signOut(first, { origin: app.url })).status, 303);
      assert.equal(await whoAmI(first), 'anonymous');
      assert.equal(await whoAmI(second), ALICE, 'the other session is still signed in');
      assert.equal(await graphStatus(second), 200, 'and still has its tokens');
      assert.ok(await hasTokens());
      assert.equal((await signOut(second, { origin: app.url })).status, 303);
      assert.equal(await hasTokens(), false, 'the last session took the tokens with it');
    });

    it('S66 "sign out everywhere" ends every session of the user and removes the server-side tokens; a new sign-in works', async () => {
      const browsers = [await signedIn(), await signedIn(), await signedIn()];
      const res = await signOut(browsers[0]!, { origin: app.url }, 'everywhere=1');
      assert.equal(res.status, 303);
      for (const b of browsers) assert.equal(await whoAmI(b), 'anonymous');
      assert.equal(await hasTokens(), false);
      const again = await signedIn();
      assert.equal(await graphStatus(again), 200);
      assert.equal((await signOut(again, { origin: app.url })).status, 303);
    });
  });
}
