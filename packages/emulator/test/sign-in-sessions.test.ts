import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '../src/index.ts';
import { getManual, postForm, tokenRequest } from './support/flows.ts';
import { hiddenTx, withEmulator } from './support/harness.ts';
import { txCookies } from './support/tx-cookies.ts';
import {
  ALICE,
  T,
  type Json,
  aadsts,
  cookieHeader,
  interactiveSignIn,
  redeemWeb,
  refreshWeb,
  redirectParams,
  setCookie,
  webAuthorize,
} from './support/web-sign-in.ts';

/*
 * Sign-in transactions and SSO sessions, provoked over HTTP against a real emulator: the page posts bound to
 * the browser that started the sign-in, max_age against a session's age, a new session id at every
 * interactive sign-in, and what revoking a user's grants ends.
 */

const TIMEOUT = { timeout: 30_000 };

describe('sign-in page posts are bound to the browser that started the sign-in', TIMEOUT, () => {
  it('refuses a post without, or with another, transaction cookie; the bound browser still signs in', async () => {
    await withEmulator({}, async (e) => {
      const page = await getManual(webAuthorize(e, { state: 'st-1' }));
      assert.equal(page.status, 200);
      const tx = hiddenTx(await page.text());
      const set = page.headers.getSetCookie().find((c) => c.startsWith(`tokenloop_tx_${tx}=`));
      assert.ok(set, 'the login page sets a cookie named after its transaction');
      assert.match(set, /; Path=\/_ui(;|$)/);
      assert.match(set, /; HttpOnly(;|$)/);
      assert.match(set, /; SameSite=Lax(;|$)/);
      const cookie = set.split(';')[0]!;

      // an attacker's own transaction, in the attacker's browser
      const attackerPage = await getManual(webAuthorize(e));
      const attackerCookie = txCookies(attackerPage);

      const refused = async (res: Response) => {
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('location'), null, 'never a redirect to the client');
        assert.equal(setCookie(res, 'tokenloop_sso'), undefined, 'no session');
        assert.match(await res.text(), /AADSTS9002313: [^<]*not started in this browser/);
      };
      const login = (c?: string) => postForm(`${e.url}/_ui/login`, { tx, ...ALICE }, cookieHeader(c));
      await refused(await login()); // login CSRF: a cross-site form post carries no cookie for us
      await refused(await login(attackerCookie)); // another transaction's cookie
      await refused(await login(`tokenloop_tx_${tx}=${'A'.repeat(43)}`)); // a guessed value

      // the browser holding the cookie continues; the consent post is bound the same way
      const consent = await login(cookie);
      assert.equal(consent.status, 200);
      const consentHtml = await consent.text();
      assert.match(consentHtml, /Permissions requested/);
      await refused(
        await postForm(`${e.url}/_ui/consent`, { tx: hiddenTx(consentHtml), decision: 'accept' }),
      );
      const done = await postForm(
        `${e.url}/_ui/consent`,
        { tx: hiddenTx(consentHtml), decision: 'accept' },
        cookieHeader(cookie),
      );
      assert.ok(redirectParams(done).get('code'));
      assert.equal(redirectParams(done).get('state'), 'st-1');
      const cleared = done.headers.getSetCookie().find((c) => c.startsWith(`tokenloop_tx_${tx}=`));
      assert.match(cleared ?? '', /Max-Age=0/, 'the finished transaction clears its cookie');
    });
  });

  it('binds the device-code sign-in pages too', async () => {
    await withEmulator({}, async (e) => {
      const device = (await (
        await postForm(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
          client_id: SAMPLE_IDS.publicApp,
          scope: 'openid User.Read',
        })
      ).json()) as Json;
      const page = await getManual(`${e.url}/devicelogin`);
      const pageTx = hiddenTx(await page.text());
      // The code form itself is bound to the browser that was shown it (S85).
      const foreign = await postForm(`${e.url}/_ui/device-code`, {
        tx: pageTx,
        user_code: String(device.user_code),
      });
      assert.equal(foreign.status, 400);
      const entry = await postForm(
        `${e.url}/_ui/device-code`,
        { tx: pageTx, user_code: String(device.user_code) },
        cookieHeader(txCookies(page)),
      );
      assert.equal(entry.status, 200);
      const tx = hiddenTx(await entry.text());
      const hijack = await postForm(`${e.url}/_ui/login`, { tx, ...ALICE });
      assert.equal(hijack.status, 400);
      const ok = await postForm(`${e.url}/_ui/login`, { tx, ...ALICE }, cookieHeader(txCookies(entry)));
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /Are you trying to sign in to Sample native app\?/);
    });
  });
});

describe('max_age for prompt=none and the account picker', TIMEOUT, () => {
  it('a session older than max_age needs a new sign-in: login_required silently, the password after the picker', async () => {
    await withEmulator({}, async (e) => {
      const { sso } = await interactiveSignIn(e);
      // baseline: the session signs in silently, also with a generous max_age
      assert.ok(
        redirectParams(await getManual(webAuthorize(e, { prompt: 'none' }), cookieHeader(sso))).get('code'),
      );
      assert.ok(
        redirectParams(
          await getManual(webAuthorize(e, { prompt: 'none', max_age: '3600' }), cookieHeader(sso)),
        ).get('code'),
      );
      await new Promise((r) => setTimeout(r, 1100));

      const hints: Record<string, string>[] = [{}, { login_hint: ALICE.username }];
      for (const extra of hints) {
        const stale = redirectParams(
          await getManual(
            webAuthorize(e, { prompt: 'none', max_age: '0', state: 's-5', ...extra }),
            cookieHeader(sso),
          ),
        );
        assert.equal(stale.get('code'), null);
        assert.equal(stale.get('error'), 'login_required');
        assert.equal(aadsts(stale), 50058);
        assert.match(stale.get('error_description') ?? '', /older than max_age/);
        assert.equal(stale.get('state'), 's-5');
      }

      // the account picker lists alice, but choosing her asks for the password again
      const picker = await getManual(
        webAuthorize(e, { prompt: 'select_account', max_age: '0' }),
        cookieHeader(sso),
      );
      assert.equal(picker.status, 200);
      const pickerHtml = await picker.text();
      assert.match(pickerHtml, /alice@contoso\.onmicrosoft\.com/);
      const cookie = `${sso}; ${txCookies(picker)}`;
      const chosen = await postForm(
        `${e.url}/_ui/select-account`,
        { tx: hiddenTx(pickerHtml), account: ALICE.username },
        cookieHeader(cookie),
      );
      assert.equal(chosen.status, 200, 'a page, not a code');
      const loginHtml = await chosen.text();
      assert.match(loginHtml, /name="password"/);
      assert.match(loginHtml, /name="username" value="alice@contoso\.onmicrosoft\.com"/);
      const done = await postForm(
        `${e.url}/_ui/login`,
        { tx: hiddenTx(loginHtml), ...ALICE },
        cookieHeader(cookie),
      );
      assert.ok(redirectParams(done).get('code'), 'signed in again');
    });
  });
});

describe('every interactive sign-in gets a new SSO session id', TIMEOUT, () => {
  it('renews the session cookie on sign-in; the old id stops working; silent sign-ins keep it', async () => {
    await withEmulator({}, async (e) => {
      const first = await interactiveSignIn(e);
      // the same browser (or one with that id planted in it) signs in again with its password
      const second = await interactiveSignIn(e, { sso: first.sso, extra: { prompt: 'login' } });
      assert.notEqual(second.sso, first.sso, 'a new session id');
      const old = redirectParams(
        await getManual(webAuthorize(e, { prompt: 'none' }), cookieHeader(first.sso)),
      );
      assert.equal(old.get('error'), 'login_required', 'the old id is worth nothing');
      const silent = await getManual(webAuthorize(e, { prompt: 'none' }), cookieHeader(second.sso));
      assert.ok(redirectParams(silent).get('code'));
      assert.equal(setCookie(silent, 'tokenloop_sso'), second.sso, 'a silent sign-in keeps the id');
    });
  });
});

describe("revoking a user's grants", TIMEOUT, () => {
  it('covers codes, approved device codes, SSO sessions and every access token (introspection: inactive)', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const introspect = async (token: unknown) =>
        (await (
          await postForm(`${e.url}/${T}/oauth2/v2.0/introspect`, {
            client_id: SAMPLE_IDS.webApp,
            client_secret: SAMPLE_SECRETS.webApp,
            token: String(token),
          })
        ).json()) as Json;
      // an access token without a refresh token (its grant exists nowhere else)
      const noRefresh = await redeemWeb(
        e,
        redirectParams(await getManual(webAuthorize(e, { scope: 'openid User.Read' }))).get('code')!,
      );
      assert.equal(noRefresh.body.refresh_token, undefined);
      const withRefresh = await redeemWeb(e, redirectParams(await getManual(webAuthorize(e))).get('code')!);
      for (const t of [noRefresh, withRefresh])
        assert.equal((await introspect(t.body.access_token)).active, true);
      const outstandingCode = redirectParams(await getManual(webAuthorize(e))).get('code')!;
      const device = (await (
        await postForm(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
          client_id: SAMPLE_IDS.publicApp,
          scope: 'openid User.Read',
        })
      ).json()) as Json; // approved at once by the auto-login user, not yet picked up
      const sessions = async () =>
        (await (await getManual(`${e.url}/_emulator/api/sessions`)).json()) as { username: string }[];
      assert.ok((await sessions()).some((s) => s.username.includes('alice')));

      assert.ok(e.revokeUserGrants('alice') >= 4);

      for (const t of [noRefresh, withRefresh]) {
        assert.deepEqual(await introspect(t.body.access_token), { active: false });
        const me = await fetch(`${e.url}/v1.0/me`, {
          headers: { authorization: `Bearer ${String(t.body.access_token)}` },
        });
        assert.equal(me.status, 401);
      }
      const code = await redeemWeb(e, outstandingCode);
      assert.equal(code.status, 400);
      assert.deepEqual(code.body.error_codes, [50173]);
      const poll = await tokenRequest(e.url, T, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: SAMPLE_IDS.publicApp,
        device_code: String(device.device_code),
      });
      assert.equal(poll.status, 400);
      assert.deepEqual(poll.body.error_codes, [50173]);
      const refresh = await refreshWeb(e, withRefresh.body.refresh_token);
      assert.deepEqual(refresh.body.error_codes, [50173]);
      assert.ok(!(await sessions()).some((s) => s.username.includes('alice')), 'out of every SSO session');

      // a new sign-in after the revocation gets a working grant
      const fresh = await redeemWeb(e, redirectParams(await getManual(webAuthorize(e))).get('code')!);
      assert.equal((await introspect(fresh.body.access_token)).active, true);
    });
  });

  it('ends a sign-in in progress', async () => {
    await withEmulator({}, async (e) => {
      const page = await getManual(webAuthorize(e));
      const cookie = txCookies(page);
      const consent = await postForm(
        `${e.url}/_ui/login`,
        { tx: hiddenTx(await page.text()), ...ALICE },
        cookieHeader(cookie),
      );
      const html = await consent.text();
      assert.match(html, /Permissions requested/);
      e.revokeUserGrants('alice');
      const done = await postForm(
        `${e.url}/_ui/consent`,
        { tx: hiddenTx(html), decision: 'accept' },
        cookieHeader(cookie),
      );
      assert.equal(done.status, 400);
      assert.match(await done.text(), /expired or is unknown/);
    });
  });
});
