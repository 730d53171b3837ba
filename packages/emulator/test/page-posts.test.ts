/**
 * Requests from other sites to the emulator's browser pages (finding 15 and its class). The emulator's own
 * page posts are accepted only from its own page in the browser that was shown it (fetch metadata / Origin,
 * and the page's token bound to a cookie); entry points an app sends the browser to (authorize, logout, the
 * device-code page) change nothing the user owns without the user acting on an emulator page; approving a
 * device code takes a confirmation naming the app; wrong user codes are throttled per client and overall.
 *
 * The sweep is driven by the route table (routes.ts): every route says how it treats cross-site requests, and a
 * new page post without a fixture here, or a new entry point that changes the user's state, fails.
 */
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import type { Route } from '../src/http/route.ts';
import { ROUTES } from '../src/routes.ts';
import { launchBrowser } from './support/browser.ts';
import {
  type CookieBrowser,
  cookieBrowser,
  formAction,
  hiddenField,
  type SentFrom,
} from './support/cookie-browser.ts';
import { authorizeUrl } from './support/flows.ts';
import { withEmulator } from './support/harness.ts';

const T = SAMPLE_IDS.contoso;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const TIMEOUT = { timeout: 120_000 };
const EVIL = 'https://evil.example';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// Journeys through the pages, as a person in one browser would go.

function webAuthorize(e: RunningEmulator, extra: Record<string, string> = {}): URL {
  return authorizeUrl(e.url, T, {
    client_id: SAMPLE_IDS.webApp,
    response_type: 'code',
    redirect_uri: WEB_REDIRECT,
    scope: 'openid profile offline_access https://graph.microsoft.com/User.Read',
    ...extra,
  });
}

/** The page's hidden `tx` (every emulator page post carries one). */
async function pageTx(res: Response): Promise<{ html: string; tx: string }> {
  const html = await res.text();
  const tx = hiddenField(html, 'tx');
  assert.ok(tx, `the page carries a tx (status ${res.status}): ${html.slice(0, 200)}`);
  return { html, tx };
}

function h1(html: string): string {
  return (/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '').trim();
}

/** Signs in as alice (login, consent) in `b`; afterwards `b` holds the SSO cookie. */
async function signIn(e: RunningEmulator, b: CookieBrowser): Promise<void> {
  const { tx } = await pageTx(await b.get(webAuthorize(e, { prompt: 'login' })));
  let res = await b.post(`${e.url}/_ui/login`, { tx, ...ALICE });
  if (res.status === 200) {
    const consent = await pageTx(res);
    assert.equal(h1(consent.html), 'Permissions requested');
    res = await b.post(`${e.url}/_ui/consent`, { tx: consent.tx, decision: 'accept' });
  }
  assert.equal(res.status, 302, 'signed in: back to the app');
  assert.ok(b.cookies.has('tokenloop_sso'));
}

async function newDeviceCode(e: RunningEmulator): Promise<{ user_code: string; device_code: string }> {
  const res = await fetch(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'openid User.Read' }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { user_code: string; device_code: string };
}

/** One poll of the token endpoint: `approved` once the device code has been approved, else the error. */
async function poll(e: RunningEmulator, deviceCode: string): Promise<string> {
  const res = await fetch(`${e.url}/${T}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: SAMPLE_IDS.publicApp,
      device_code: deviceCode,
    }),
  });
  const body = (await res.json()) as Json;
  return res.status === 200 ? 'approved' : String(body.error);
}

/** The device-code page as a browser gets it: its token (`tx`) and where it posts. */
async function openDevicePage(e: RunningEmulator, b: CookieBrowser): Promise<{ tx: string; action: string }> {
  const res = await b.get(`${e.url}/devicelogin`);
  assert.equal(res.status, 200);
  const { html, tx } = await pageTx(res);
  assert.equal(h1(html), 'Enter code');
  return { tx, action: formAction(html)! };
}

// ---------------------------------------------------------------------------------------------------------
// What the user owns, read through the emulator's own surfaces.

async function sessions(e: RunningEmulator): Promise<unknown> {
  return (await fetch(`${e.url}/_emulator/api/sessions`)).json();
}

/** Everything the emulator remembers (store sizes) and the SSO sessions: a refused request changes none of it. */
async function everything(e: RunningEmulator): Promise<unknown> {
  return { stores: e.sweep(), sessions: await sessions(e) };
}

/** What belongs to the user: sessions, consents, tokens (codes and sign-ins in progress are not theirs). */
async function userState(e: RunningEmulator): Promise<unknown> {
  const { consents, refreshTokens, accessTokens, sessions: count } = e.sweep();
  return { consents, refreshTokens, accessTokens, count, sessions: await sessions(e) };
}

async function assertRefused(res: Response, what: string): Promise<void> {
  assert.ok(res.status === 400 || res.status === 403, `${what}: refused, not ${res.status}`);
  assert.equal(res.headers.get('location'), null, `${what}: never a redirect`);
  assert.equal(
    res.headers.getSetCookie().some((c) => c.startsWith('tokenloop_sso=')),
    false,
    `${what}: no session cookie`,
  );
  assert.match(await res.text(), /AADSTS9002313/, what);
}

// ---------------------------------------------------------------------------------------------------------
// The sweep.

/** A page post ready to send: the browser that was shown the page, and the fields its form would post. */
interface Fixture {
  browser: CookieBrowser;
  fields: Record<string, string>;
  deviceCode?: string;
}

/**
 * For each of the emulator's own page posts: a browser that was shown the page, and its form's fields. A new
 * page post (a route with `crossSite: 'refused'`) needs an entry here, or the sweep fails.
 */
const FIXTURES: Record<string, (e: RunningEmulator) => Promise<Fixture>> = {
  '/_ui/login': async (e) => {
    const browser = cookieBrowser(e.url);
    const { tx } = await pageTx(await browser.get(webAuthorize(e)));
    return { browser, fields: { tx, ...ALICE } };
  },
  '/_ui/consent': async (e) => {
    const browser = cookieBrowser(e.url);
    const login = await pageTx(await browser.get(webAuthorize(e, { prompt: 'consent' })));
    const { html, tx } = await pageTx(await browser.post(`${e.url}/_ui/login`, { tx: login.tx, ...ALICE }));
    assert.equal(h1(html), 'Permissions requested');
    return { browser, fields: { tx, decision: 'accept' } };
  },
  '/_ui/select-account': async (e) => {
    const browser = cookieBrowser(e.url);
    await signIn(e, browser);
    const { html, tx } = await pageTx(await browser.get(webAuthorize(e, { prompt: 'select_account' })));
    assert.equal(h1(html), 'Pick an account');
    return { browser, fields: { tx, account: ALICE.username } };
  },
  '/_ui/device-code': async (e) => {
    const browser = cookieBrowser(e.url);
    await signIn(e, browser);
    const device = await newDeviceCode(e);
    const { tx } = await openDevicePage(e, browser);
    return { browser, fields: { tx, user_code: device.user_code }, deviceCode: device.device_code };
  },
  '/_ui/device-confirm': async (e) => {
    const browser = cookieBrowser(e.url);
    await signIn(e, browser);
    const device = await newDeviceCode(e);
    const entry = await openDevicePage(e, browser);
    const picker = await pageTx(
      await browser.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: device.user_code }),
    );
    assert.equal(h1(picker.html), 'Pick an account');
    const { html, tx } = await pageTx(
      await browser.post(`${e.url}/_ui/select-account`, { tx: picker.tx, account: ALICE.username }),
    );
    assert.match(h1(html), /^Are you trying to sign in to Sample native app\?$/);
    return { browser, fields: { tx, decision: 'continue' }, deviceCode: device.device_code };
  },
  '/_ui/sign-out': async (e) => {
    const browser = cookieBrowser(e.url);
    await signIn(e, browser);
    const { html, tx } = await pageTx(
      await browser.get(`${e.url}/${T}/oauth2/v2.0/logout?client_id=${SAMPLE_IDS.webApp}`),
    );
    assert.equal(h1(html), 'Sign out');
    return { browser, fields: { tx } };
  },
};

/** A concrete path for a route pattern: the tenant segment filled in, regular-expression syntax removed. */
function examplePath(r: Route): string {
  return r.pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\(\[\^\/\]\+\)/g, T)
    .replace(/\(\?:[^)]*\)\?/g, '')
    .replace(/\\(.)/g, '$1');
}

/** The cross-site requests a page on another site can make a browser send, with and without the token. */
const ATTACKS: { name: string; from: SentFrom; drop?: 'tx' | 'cookies' }[] = [
  { name: 'a form on another site (Origin)', from: { origin: EVIL, site: null } },
  { name: 'a form on another site (Sec-Fetch-Site)', from: { origin: null, site: 'cross-site' } },
  { name: 'another local port (same-site)', from: { origin: 'http://127.0.0.1:1', site: 'same-site' } },
  { name: 'an opaque origin (sandboxed frame, data: URL)', from: { origin: 'null', site: 'cross-site' } },
  { name: 'Origin null without fetch metadata', from: { origin: 'null', site: null } },
  { name: 'without the page token', from: {}, drop: 'tx' },
  { name: 'without the browser cookies', from: {}, drop: 'cookies' },
];

describe(
  'S85 the emulator refuses cross-site requests to its page posts (sweep over routes.ts)',
  TIMEOUT,
  () => {
    let e: RunningEmulator;
    before(async () => {
      e = await startEmulator({ settings: { deviceCodeInterval: 1 } });
    });
    after(() => e.close());

    it('S85 every route says how it treats cross-site requests; only API routes answer without pages', () => {
      for (const r of ROUTES) {
        assert.ok(['refused', 'entry', 'api'].includes(r.crossSite), `${r.pattern}: crossSite is set`);
        if (r.crossSite === 'api') assert.equal(r.errors, 'json', `${r.pattern}: an API serves no pages`);
        if (r.crossSite === 'refused') {
          assert.ok(
            examplePath(r).startsWith('/_ui/'),
            `${r.pattern}: page posts live under /_ui (cookie path)`,
          );
          assert.deepEqual(r.methods, ['POST'], `${r.pattern}: a page post route takes POST only`);
        }
      }
      const posts = ROUTES.filter((r) => r.crossSite === 'refused').map(examplePath);
      assert.deepEqual(posts.sort(), Object.keys(FIXTURES).sort(), 'every page post has a fixture here');
    });

    for (const r of ROUTES.filter((x) => x.crossSite === 'refused')) {
      const path = examplePath(r);
      it(`S85 ${path}: a cross-site post, or one without the page's token, is refused and changes nothing`, async () => {
        const fixture = await FIXTURES[path]!(e);
        const before = await everything(e);
        for (const attack of ATTACKS) {
          const fields = { ...fixture.fields };
          if (attack.drop === 'tx') delete fields.tx;
          const from = attack.drop === 'cookies' ? { ...attack.from, noCookies: true } : attack.from;
          await assertRefused(
            await fixture.browser.post(`${e.url}${path}`, fields, from),
            `${path}: ${attack.name}`,
          );
          assert.deepEqual(await everything(e), before, `${path}: ${attack.name} changed nothing`);
          if (fixture.deviceCode) assert.notEqual(await poll(e, fixture.deviceCode), 'approved');
        }
        // The same post from the emulator's own page in that browser goes through.
        const ok = await fixture.browser.post(`${e.url}${path}`, fixture.fields);
        assert.ok(
          ok.status === 200 || ok.status === 302,
          `${path}: accepted from its own page (${ok.status})`,
        );
        assert.doesNotMatch(await ok.text(), /AADSTS9002313/);
      });
    }

    /** A request an app (or an attacker's page) may send the browser to, for each entry route. */
    const ENTRY_REQUESTS: Record<string, (device: { user_code: string }) => Record<string, string>> = {
      [`/${T}/oauth2/v2.0/authorize`]: () => ({
        client_id: SAMPLE_IDS.webApp,
        response_type: 'code',
        redirect_uri: WEB_REDIRECT,
        scope: 'openid profile offline_access https://graph.microsoft.com/User.Read',
        prompt: 'none',
      }),
      [`/${T}/oauth2/v2.0/logout`]: () => ({
        client_id: SAMPLE_IDS.webApp,
        post_logout_redirect_uri: 'http://127.0.0.1:3000/',
      }),
      [`/${T}/oauth2/authorize`]: () => ({
        client_id: SAMPLE_IDS.webApp,
        response_type: 'code',
        redirect_uri: WEB_REDIRECT,
        resource: 'https://graph.microsoft.com',
        prompt: 'none',
      }),
      [`/${T}/oauth2/logout`]: () => ({
        client_id: SAMPLE_IDS.webApp,
        post_logout_redirect_uri: 'http://127.0.0.1:3000/',
      }),
      '/devicelogin': (device) => ({ otc: device.user_code }),
      '/': () => ({}),
    };

    it('S85 entry points (authorize, logout, the device-code page) sent from another site change nothing the user owns', async () => {
      const victim = cookieBrowser(e.url);
      await signIn(e, victim);
      const device = await newDeviceCode(e);
      const entries = ROUTES.filter((r) => r.crossSite === 'entry');
      assert.deepEqual(
        entries.map(examplePath).sort(),
        Object.keys(ENTRY_REQUESTS).sort(),
        'every entry route has a request here',
      );
      const before = await userState(e);
      for (const r of entries) {
        const path = examplePath(r);
        const params = ENTRY_REQUESTS[path]!(device);
        for (const method of r.methods) {
          const res =
            method === 'GET'
              ? await victim.get(`${e.url}${path}?${new URLSearchParams(params)}`, { site: 'cross-site' })
              : await victim.post(`${e.url}${path}`, params, { origin: EVIL, site: 'cross-site' });
          assert.ok(res.status < 500, `${method} ${path}: ${res.status}`);
          await res.arrayBuffer();
          assert.deepEqual(
            await userState(e),
            before,
            `${method} ${path} from another site changed the user's state`,
          );
          assert.notEqual(
            await poll(e, device.device_code),
            'approved',
            `${method} ${path} approved the device code`,
          );
        }
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------------------
// Sign-out: the state-changing entry point.

/** Signs `who` in (web app) in `b` and returns the ID token the app got. */
async function signInForIdToken(e: RunningEmulator, b: CookieBrowser, who = ALICE): Promise<string> {
  const { tx } = await pageTx(await b.get(webAuthorize(e, { prompt: 'login' })));
  let res = await b.post(`${e.url}/_ui/login`, { tx, ...who });
  if (res.status === 200) {
    const consent = await pageTx(res);
    res = await b.post(`${e.url}/_ui/consent`, { tx: consent.tx, decision: 'accept' });
  }
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
  const token = await fetch(`${e.url}/${T}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.webApp,
      client_secret: SAMPLE_SECRETS.webApp,
      code,
      redirect_uri: WEB_REDIRECT,
    }),
  });
  const body = (await token.json()) as Json;
  assert.equal(token.status, 200);
  return String(body.id_token);
}

describe(
  'S85 sign-out: only when the app proves it asked (id_token_hint), or the user confirms',
  TIMEOUT,
  () => {
    it('S85 a valid id_token_hint of a signed-in user signs out at once; a forged one, another user’s or another app’s asks first', async () => {
      await withEmulator({}, async (e) => {
        const b = cookieBrowser(e.url);
        const bob = await signInForIdToken(e, cookieBrowser(e.url), {
          username: 'bob@contoso.onmicrosoft.com',
          password: 'bob-password-1',
        });
        const alice = await signInForIdToken(e, b);
        const [head, payload, sig] = alice.split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json;
        const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, oid: 'x' })).toString('base64url')}.${sig}`;
        const logout = (q: Record<string, string>) =>
          b.get(`${e.url}/${T}/oauth2/v2.0/logout?${new URLSearchParams(q)}`, { site: 'cross-site' });
        for (const [what, q] of [
          ['no hint', { client_id: SAMPLE_IDS.webApp }],
          ['a forged hint', { id_token_hint: forged }],
          ['another user’s hint', { id_token_hint: bob }],
          ['a hint for another app', { id_token_hint: alice, client_id: SAMPLE_IDS.publicApp }],
          ['an access token as hint', { id_token_hint: 'e30.e30.' }],
        ] as const) {
          const before = await userState(e);
          const res = await logout(q);
          assert.equal(res.status, 200, what);
          assert.equal(h1(await res.text()), 'Sign out', `${what}: asked first`);
          assert.deepEqual(await userState(e), before, `${what}: still signed in`);
        }
        const out = await logout({
          id_token_hint: alice,
          post_logout_redirect_uri: 'http://127.0.0.1:3000/',
          state: 's1',
        });
        assert.equal(out.status, 302, 'the app asked: signed out at once');
        assert.equal(out.headers.get('location'), 'http://127.0.0.1:3000/?state=s1');
        const left = (await sessions(e)) as { username: string }[];
        assert.ok(!left.some((s) => s.username.includes('alice')), 'alice’s browser session ended');
        assert.ok(
          left.some((s) => s.username.includes('bob')),
          'bob’s, in another browser, did not',
        );
      });
    });
  },
);

// ---------------------------------------------------------------------------------------------------------
// Finding 15 itself, over HTTP and in a real browser.

describe(
  'S85 finding 15: an attacker cannot approve their device code in the victim’s browser',
  TIMEOUT,
  () => {
    it('S85 the attacker’s form (to /devicelogin or the page’s own target) approves nothing and leaves the victim signed in as before', async () => {
      await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
        const victim = cookieBrowser(e.url);
        await signIn(e, victim);
        const attacker = await newDeviceCode(e);
        const before = await userState(e);
        // What the reported attack posted: the user code to /devicelogin, from another site.
        const old = await victim.post(
          `${e.url}/devicelogin`,
          { user_code: attacker.user_code },
          { origin: EVIL, site: 'cross-site' },
        );
        assert.equal(old.status, 405, 'the code entry page takes no posts of its own');
        await old.arrayBuffer();
        // The page's form target, from another site, with and without a token the attacker made for themselves.
        const attackersBrowser = cookieBrowser(e.url);
        const attackersPage = await openDevicePage(e, attackersBrowser);
        for (const from of [
          { origin: EVIL, site: 'cross-site' },
          { origin: 'http://127.0.0.1:3000', site: 'same-site' },
          { origin: null, site: null },
        ] as SentFrom[]) {
          const res = await victim.post(
            `${e.url}${attackersPage.action}`,
            { tx: attackersPage.tx, user_code: attacker.user_code },
            from,
          );
          await assertRefused(res, JSON.stringify(from));
        }
        assert.equal(await poll(e, attacker.device_code), 'authorization_pending');
        assert.deepEqual(await userState(e), before);
      });
    });

    it('S85 in Chromium: a page on another local port that submits the device-code form in the victim’s browser is refused', async () => {
      await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
        const attacker = await newDeviceCode(e);
        // The attacker's page: a form posting their code to the emulator, submitted by the victim's one click.
        const site = createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            `<!doctype html><html lang="en"><title>Win a prize</title><form method="post" action="${e.url}/_ui/device-code">` +
              `<input type="hidden" name="user_code" value="${attacker.user_code}"><input type="hidden" name="tx" value="guess">` +
              '<button>Claim</button></form></html>',
          );
        });
        site.listen(0, '127.0.0.1');
        await once(site, 'listening');
        const browser = await launchBrowser();
        try {
          const page = await browser.newPage();
          page.setDefaultTimeout(10_000);
          const siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
          // The victim signs in at the emulator in this browser (to a native app whose loopback redirect lands
          // on the attacker's page, which does not matter here).
          await page.goto(
            authorizeUrl(e.url, 'organizations', {
              client_id: SAMPLE_IDS.publicApp,
              response_type: 'code',
              redirect_uri: `${siteOrigin}/`,
              scope: 'openid User.Read',
            }).href,
          );
          await page.getByLabel('Username').fill(ALICE.username);
          await page.getByLabel('Password').fill(ALICE.password);
          await Promise.all([
            page.waitForNavigation(),
            page.getByRole('button', { name: 'Sign in' }).click(),
          ]);
          if (await page.getByRole('button', { name: 'Accept' }).count())
            await page.getByRole('button', { name: 'Accept' }).click();
          await page.waitForURL((u) => u.origin === siteOrigin);
          const signedIn = await userState(e);
          await page.goto(`${siteOrigin}/`);
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url().startsWith(`${e.url}/_ui/`)),
            page.getByRole('button', { name: 'Claim' }).click(),
          ]);
          assert.ok(answer.status() === 400 || answer.status() === 403, `refused, not ${answer.status()}`);
          assert.match(await answer.text(), /AADSTS9002313/);
          assert.equal(await poll(e, attacker.device_code), 'authorization_pending');
          assert.deepEqual(await userState(e), signedIn);
        } finally {
          await browser.close();
          site.close();
        }
      });
    });
  },
);

// ---------------------------------------------------------------------------------------------------------

describe('S86 approving a device code takes a confirmation that names the app', TIMEOUT, () => {
  it('S86 after the code and the sign-in, a page asks "Are you trying to sign in to <app>?"; only Continue approves', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const b = cookieBrowser(e.url);
      const device = await newDeviceCode(e);
      const entry = await openDevicePage(e, b);
      const login = await pageTx(
        await b.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: device.user_code }),
      );
      assert.equal(h1(login.html), 'Sign in');
      const confirm = await pageTx(await b.post(`${e.url}/_ui/login`, { tx: login.tx, ...ALICE }));
      assert.equal(h1(confirm.html), 'Are you trying to sign in to Sample native app?');
      assert.match(confirm.html, new RegExp(device.user_code));
      assert.match(confirm.html, /alice@contoso\.onmicrosoft\.com/);
      assert.match(confirm.html, /Only continue if you started this sign-in yourself/);
      assert.equal(
        await poll(e, device.device_code),
        'authorization_pending',
        'not approved before the answer',
      );
      let res = await b.post(`${e.url}/_ui/device-confirm`, { tx: confirm.tx, decision: 'continue' });
      let html = await res.text();
      if (h1(html) === 'Permissions requested') {
        res = await b.post(`${e.url}/_ui/consent`, { tx: hiddenField(html, 'tx')!, decision: 'accept' });
        html = await res.text();
      }
      assert.equal(h1(html), 'Signed in');
      assert.equal(await poll(e, device.device_code), 'approved');
    });
  });

  it('S86 the confirmation is shown even when nothing else would be (one signed-in account, consent already given)', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const b = cookieBrowser(e.url);
      // First device sign-in: consent is recorded.
      const first = await newDeviceCode(e);
      let entry = await openDevicePage(e, b);
      const login = await pageTx(
        await b.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: first.user_code }),
      );
      const c1 = await pageTx(await b.post(`${e.url}/_ui/login`, { tx: login.tx, ...ALICE }));
      let res = await b.post(`${e.url}/_ui/device-confirm`, { tx: c1.tx, decision: 'continue' });
      let html = await res.text();
      if (h1(html) === 'Permissions requested')
        html = await (
          await b.post(`${e.url}/_ui/consent`, { tx: hiddenField(html, 'tx')!, decision: 'accept' })
        ).text();
      assert.equal(h1(html), 'Signed in');
      // Second: SSO session and consent in place — still asked, after picking the account.
      const second = await newDeviceCode(e);
      entry = await openDevicePage(e, b);
      const picker = await pageTx(
        await b.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: second.user_code }),
      );
      assert.equal(h1(picker.html), 'Pick an account');
      const c2 = await pageTx(
        await b.post(`${e.url}/_ui/select-account`, { tx: picker.tx, account: ALICE.username }),
      );
      assert.equal(h1(c2.html), 'Are you trying to sign in to Sample native app?');
      assert.equal(await poll(e, second.device_code), 'authorization_pending');
      res = await b.post(`${e.url}/_ui/device-confirm`, { tx: c2.tx, decision: 'continue' });
      assert.equal(h1(await res.text()), 'Signed in');
      assert.equal(await poll(e, second.device_code), 'approved');
    });
  });

  it('S86 a code is approved once: a second browser that entered it meanwhile cannot put its user in', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const device = await newDeviceCode(e);
      const BOB = { username: 'bob@contoso.onmicrosoft.com', password: 'bob-password-1' };
      const confirmIn = async (b: CookieBrowser, who: typeof ALICE) => {
        const entry = await openDevicePage(e, b);
        const login = await pageTx(
          await b.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: device.user_code }),
        );
        return (await pageTx(await b.post(`${e.url}/_ui/login`, { tx: login.tx, ...who }))).tx;
      };
      const [a, b] = [cookieBrowser(e.url), cookieBrowser(e.url)];
      const [txA, txB] = [await confirmIn(a, ALICE), await confirmIn(b, BOB)];
      let html = await (
        await a.post(`${e.url}/_ui/device-confirm`, { tx: txA, decision: 'continue' })
      ).text();
      if (h1(html) === 'Permissions requested')
        html = await (
          await a.post(`${e.url}/_ui/consent`, { tx: hiddenField(html, 'tx')!, decision: 'accept' })
        ).text();
      assert.equal(h1(html), 'Signed in');
      let late = await b.post(`${e.url}/_ui/device-confirm`, { tx: txB, decision: 'continue' });
      let lateHtml = await late.text();
      if (h1(lateHtml) === 'Permissions requested') {
        late = await b.post(`${e.url}/_ui/consent`, { tx: hiddenField(lateHtml, 'tx')!, decision: 'accept' });
        lateHtml = await late.text();
      }
      assert.equal(late.status, 400);
      assert.match(lateHtml, /already used/);
      const token = await fetch(`${e.url}/${T}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: SAMPLE_IDS.publicApp,
          device_code: device.device_code,
        }),
      });
      const body = (await token.json()) as Json;
      const claims = JSON.parse(
        Buffer.from(String(body.id_token).split('.')[1]!, 'base64url').toString(),
      ) as Json;
      assert.equal(claims.oid, SAMPLE_IDS.alice, 'the device got the first user’s tokens');
    });
  });

  it('S86 Cancel declines the device code (authorization_declined) and signs nobody in', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const b = cookieBrowser(e.url);
      const device = await newDeviceCode(e);
      const entry = await openDevicePage(e, b);
      const login = await pageTx(
        await b.post(`${e.url}${entry.action}`, { tx: entry.tx, user_code: device.user_code }),
      );
      const confirm = await pageTx(await b.post(`${e.url}/_ui/login`, { tx: login.tx, ...ALICE }));
      const res = await b.post(`${e.url}/_ui/device-confirm`, { tx: confirm.tx, decision: 'cancel' });
      assert.equal(h1(await res.text()), 'Sign-in declined');
      assert.equal(await poll(e, device.device_code), 'authorization_declined');
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

/** Posts a user code from a loopback address of its own (each address is another client). */
function postCodeFrom(
  e: RunningEmulator,
  localAddress: string,
  entry: { tx: string; action: string; cookie: string },
  userCode: string,
): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const url = new URL(entry.action, e.url);
  const body = new URLSearchParams({ tx: entry.tx, user_code: userCode }).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          cookie: entry.cookie,
          origin: e.url,
          'sec-fetch-site': 'same-origin',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: text,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function entryFor(e: RunningEmulator): Promise<{ tx: string; action: string; cookie: string }> {
  const b = cookieBrowser(e.url);
  const { tx, action } = await openDevicePage(e, b);
  return { tx, action, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
}

const WRONG = 'BCDFGHJKL';

describe('S87 wrong user codes are throttled per client and overall', TIMEOUT, () => {
  it('S87 after 5 wrong codes a client must wait (429, Retry-After), and then even the right code is not looked at', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const device = await newDeviceCode(e);
      const entry = await entryFor(e);
      for (let i = 0; i < 5; i++) {
        const r = await postCodeFrom(e, '127.0.0.1', entry, WRONG);
        assert.equal(r.status, 200, `wrong code ${i + 1}: the page again`);
        assert.match(r.body, /That code didn.{1,5}t work/);
      }
      const sixth = await postCodeFrom(e, '127.0.0.1', entry, WRONG);
      assert.equal(sixth.status, 429);
      assert.ok(Number(sixth.retryAfter) >= 1, `Retry-After: ${sixth.retryAfter}`);
      assert.match(sixth.body, /Too many wrong codes/);
      const right = await postCodeFrom(e, '127.0.0.1', entry, device.user_code);
      assert.equal(right.status, 429, 'a guess while throttled is not checked, so it cannot succeed');
      // Another client is not held up by this one.
      const other = await postCodeFrom(e, '127.0.0.2', await entryFor(e), device.user_code);
      assert.equal(other.status, 200);
      assert.match(other.body, /<h1>Sign in<\/h1>/);
    });
  });

  it('S87 wrong codes from many clients are bounded overall (20 in a burst), whatever address they come from', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      const device = await newDeviceCode(e);
      let answered = 0;
      for (let client = 2; client < 7; client++) {
        const entry = await entryFor(e);
        for (let i = 0; i < 4; i++) {
          const r = await postCodeFrom(e, `127.0.0.${client}`, entry, WRONG);
          assert.equal(r.status, 200);
          answered++;
        }
      }
      assert.equal(answered, 20);
      const fresh = await postCodeFrom(e, '127.0.0.9', await entryFor(e), WRONG);
      assert.equal(fresh.status, 429, 'the 21st wrong code in a burst waits, from a new address too');
      assert.match(fresh.body, /Too many wrong codes/);
      const right = await postCodeFrom(e, '127.0.0.10', await entryFor(e), device.user_code);
      assert.equal(right.status, 429);
      assert.equal(await poll(e, device.device_code), 'authorization_pending');
    });
  });

  it('S87 the right code is never counted: a person entering codes correctly is never slowed down', async () => {
    await withEmulator({ settings: { deviceCodeInterval: 1 } }, async (e) => {
      for (let i = 0; i < 30; i++) {
        const device = await newDeviceCode(e);
        const r = await postCodeFrom(e, '127.0.0.1', await entryFor(e), device.user_code);
        assert.equal(r.status, 200, `code ${i + 1}`);
        assert.match(r.body, /<h1>Sign in<\/h1>/);
      }
    });
  });
});
