// Signing in again ends the session the browser brought (S54), also with responseMode form_post (finding F5):
// the provider's cross-site POST carries the SameSite=None transaction cookie but not the SameSite=Lax session
// cookie, so the callback finishes in a second, same-site step — a 303 to a GET of the callback route, bound to
// this browser by a fresh single-use transaction cookie (S55) — where the session cookie is present and the
// previous session is ended. Proved in real headless Chromium (the emulator on http://127.0.0.1, the app on
// https://localhost: another site) for both response modes, and at the core with the cookies a browser sends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, createSelfSignedKey, startEmulator } from '@tokenloop/emulator';
import type { Browser } from 'playwright-core';
import { type WebAuth, type WebResponse, createWebAuth, memorySessionStore } from '@tokenloop/web';
import { launchBrowser } from '../../emulator/test/support/browser.js';
import { recordNamesOf } from './support/records.js';
import { startWebApp } from './support/web-app.js';

const CLIENT_ID = '5e0f0c3a-1b2d-4e5f-8a9b-0c1d2e3f4a56';
/** One app registration per response mode in the browser test (each has its own redirect URI). */
const CLIENT_IDS = {
  form_post: '5e0f0c3a-1b2d-4e5f-8a9b-0c1d2e3f4a57',
  query: '5e0f0c3a-1b2d-4e5f-8a9b-0c1d2e3f4a58',
} as const;
const SECRET = 'form-post-web-app-secret';
const ALICE = 'signed in as alice@contoso.onmicrosoft.com';

describe('S54 form_post: signing in again ends the previous session, in Chromium', () => {
  let em: RunningEmulator;
  let browser: Browser;
  let tls: { key: string; cert: string };
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice' });
    const pair = await createSelfSignedKey('localhost');
    tls = { key: pair.privateKeyPem, cert: pair.certificatePem };
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await em?.close();
  });

  for (const responseMode of ['form_post', 'query'] as const) {
    it(`S54 ${responseMode}: a second sign-in in the same browser issues a new session id and ends the one the browser brought`, async () => {
      const store = memorySessionStore();
      const app = await startWebApp({
        authority: `${em.url}/${SAMPLE_IDS.contoso}`,
        clientId: CLIENT_IDS[responseMode],
        clientSecret: SECRET,
        responseMode,
        sessionStore: store,
        https: tls,
        graphBase: em.url,
        apiScope: 'User.Read',
      });
      // The emulator on http://127.0.0.1:<port>, the app on https://localhost:<port>: the form_post is cross-site.
      em.addApp({
        clientId: CLIENT_IDS[responseMode],
        name: `web app (${responseMode})`,
        type: 'web',
        tenant: SAMPLE_IDS.contoso,
        secret: SECRET,
        redirectUris: [`${app.url}/auth/callback`],
        delegatedPermissions: { 'https://graph.microsoft.com': ['User.Read'] },
      });
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        const callbacks: { method: string; site: string | undefined; sessionCookie: boolean }[] = [];
        page.on('request', (r) => {
          if (new URL(r.url()).pathname !== '/auth/callback') return;
          void r.allHeaders().then((h) =>
            callbacks.push({
              method: r.method(),
              site: h['sec-fetch-site'],
              sessionCookie: /(?:^|;\s*)tl_session=/.test(h.cookie ?? ''),
            }),
          );
        });
        const signIn = async () => {
          await page.goto(`${app.url}/auth/login`);
          await page.waitForURL((u) => u.origin === app.url && u.pathname === '/');
          assert.equal((await page.locator('body').innerText()).trim(), ALICE);
          const cookie = (await context.cookies(app.url)).find((c) => c.name === 'tl_session')!;
          assert.equal(cookie.sameSite, 'Lax', 'S56: the session cookie stays SameSite=Lax');
          return cookie.value;
        };
        const first = await signIn();
        const second = await signIn();
        assert.notEqual(second, first, 'a new session id');
        const sessionOf = (id: string) =>
          app.auth.session({ method: 'GET', url: new URL('/', app.url), cookieHeader: `tl_session=${id}` });
        assert.equal(await sessionOf(first), undefined, 'the session the browser brought is ended');
        assert.equal(await store.get(recordNamesOf(app.auth).session(first)), undefined, 'and deleted');
        assert.equal((await sessionOf(second))?.username, 'alice@contoso.onmicrosoft.com');
        // The same user signed in again: the new session keeps the server-side tokens (S66).
        await page.goto(`${app.url}/me`);
        assert.match(await page.locator('body').innerText(), /Alice Adams/);

        await new Promise((resolve) => setTimeout(resolve, 100)); // the last request's headers
        if (responseMode === 'form_post') {
          // What made this finding: the provider's POST is cross-site and brings no session cookie; the
          // finishing GET is where the previous session is seen.
          const posts = callbacks.filter((c) => c.method === 'POST');
          assert.equal(posts.length, 2, JSON.stringify(callbacks));
          for (const p of posts) assert.deepEqual([p.site, p.sessionCookie], ['cross-site', false]);
          const finishes = callbacks.filter((c) => c.method === 'GET');
          assert.equal(finishes.length, 2, JSON.stringify(callbacks));
          assert.deepEqual(
            finishes.map((f) => f.sessionCookie),
            [false, true],
            'the second finishing GET carries the previous session cookie',
          );
        }
      } finally {
        await context.close();
        await app.close();
      }
    });
  }
});

/** A cookie jar for the core's requests: which cookies a browser would send is chosen per request. */
class Jar {
  readonly values = new Map<string, string>();
  take(res: WebResponse): void {
    for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value && !/Max-Age=0/i.test(c)) this.values.set(name!, value);
      else this.values.delete(name!);
    }
  }
  header(only?: string[]): string | undefined {
    const pairs = [...this.values].filter(([k]) => !only || only.includes(k));
    return pairs.length ? pairs.map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
}

describe('S54, S55 form_post at the core: the finishing step', () => {
  const BASE = 'https://app.example.test';
  let em: RunningEmulator;
  let auth: WebAuth;
  before(async () => {
    em = await startEmulator({ autoLogin: 'alice' });
    em.addApp({
      clientId: CLIENT_ID,
      name: 'form_post core',
      type: 'web',
      tenant: SAMPLE_IDS.contoso,
      secret: SECRET,
      redirectUris: [`${BASE}/auth/callback`],
    });
    auth = createWebAuth({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      baseUrl: BASE,
      responseMode: 'form_post',
    });
  });
  after(async () => {
    await auth?.close();
    await em?.close();
  });

  /** Login, the provider's form_post page, and the provider's cross-site POST (only SameSite=None cookies). */
  async function providerPost(jar: Jar): Promise<{ res: WebResponse; form: URLSearchParams }> {
    const login = (await auth.handle({
      method: 'GET',
      url: new URL('/auth/login', BASE),
      cookieHeader: jar.header(),
    }))!;
    jar.take(login);
    const html = await (await fetch(String(login.headers.location), { redirect: 'manual' })).text();
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
      form.set(
        m[1]!,
        m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))).replace(/&amp;/g, '&'),
      );
    assert.ok(form.get('code'), 'the provider posts a code');
    const res = (await auth.handle({
      method: 'POST',
      url: new URL('/auth/callback', BASE),
      form,
      cookieHeader: jar.header(['tl_tx']),
      origin: new URL(em.url).origin,
      secFetchSite: 'cross-site',
    }))!;
    return { res, form };
  }
  const finish = (jar: Jar, location: string, only?: string[]) =>
    auth.handle({ method: 'GET', url: new URL(location, BASE), cookieHeader: jar.header(only) });
  const sessionOf = (id: string | undefined) =>
    auth.session({ method: 'GET', url: new URL('/', BASE), cookieHeader: `tl_session=${id}` });

  it('S54 the provider POST answers with a 303 to the finishing GET, which ends the previous session and sets the new one', async () => {
    const jar = new Jar();
    for (let round = 1; round <= 2; round++) {
      const previous = jar.values.get('tl_session');
      const { res } = await providerPost(jar);
      assert.equal(res.status, 303);
      const location = String(res.headers.location);
      assert.match(location, /^\/auth\/callback\?/, 'a same-site GET of the callback route');
      assert.doesNotMatch(String(res.headers['set-cookie']), /tl_session=/, 'no session yet');
      jar.take(res);
      const done = (await finish(jar, location))!;
      assert.equal(done.status, 303);
      assert.equal(done.headers.location, '/');
      jar.take(done);
      const id = jar.values.get('tl_session');
      assert.ok(id && id !== previous, `round ${round}: a new session id`);
      assert.equal((await sessionOf(id))?.username, 'alice@contoso.onmicrosoft.com');
      if (previous) assert.equal(await sessionOf(previous), undefined, 'the previous session is ended');
    }
  });

  it('S55 the finishing step is bound to the browser and single-use; the provider POST cannot be replayed', async () => {
    const jar = new Jar();
    const { res, form } = await providerPost(jar);
    const original = jar.values.get('tl_tx')!;
    jar.take(res);
    const location = String(res.headers.location);
    const other = new Jar();
    assert.equal((await finish(other, location))!.status, 400, 'another browser (no transaction cookie)');
    const done = (await finish(jar, location))!;
    assert.equal(done.status, 303);
    const used = new Jar();
    used.values.set('tl_tx', jar.values.get('tl_tx')!); // the finishing cookie as it was before it was cleared
    jar.take(done);
    assert.equal((await finish(used, location))!.status, 400, 'the finishing step twice');
    const replay = (await auth.handle({
      method: 'POST',
      url: new URL('/auth/callback', BASE),
      form,
      cookieHeader: `tl_tx=${original}`,
      secFetchSite: 'cross-site',
    }))!;
    assert.equal(replay.status, 400, 'the provider POST twice');
  });
});
