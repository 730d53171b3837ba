import * as assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import {
  createSelfSignedKey,
  type RunningEmulator,
  SAMPLE_IDS,
  SAMPLE_SECRETS,
  startEmulator,
  thumbprints,
} from '../src/index.ts';
import { hiddenTx, withEmulator } from './support/harness.ts';
import { authorizeUrl, claimsOf, pkce, tokenRequest } from './support/flows.ts';
import { txCookies } from './support/tx-cookies.ts';

/*
 * The findings of the emulator's security review, each provoked over HTTP against a real emulator: page posts
 * bound to the browser, the admin API's request checks, response types, PKCE downgrade, max_age, state and
 * nonce limits, session fixation, what revoking a user's grants covers, and client assertions at introspect.
 */

const T = SAMPLE_IDS.contoso;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const GRAPH_SCOPE = 'openid profile offline_access https://graph.microsoft.com/User.Read';
const TIMEOUT = { timeout: 30_000 };

type Json = Record<string, unknown>;

function get(url: URL | string, cookie?: string): Promise<Response> {
  return fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

function postForm(url: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

/** `name=value` of a cookie a response set, or undefined. */
function setCookie(res: Response, name: string): string | undefined {
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];
}

/** Parameters of a 302 to the redirect URI, from the query or the fragment. */
function redirectParams(res: Response, redirectUri: string = WEB_REDIRECT): URLSearchParams {
  assert.equal(res.status, 302, `a redirect, not ${res.status}`);
  const location = res.headers.get('location') ?? '';
  assert.ok(location.startsWith(redirectUri), `redirects to ${redirectUri}: ${location.slice(0, 80)}`);
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

function aadsts(params: URLSearchParams | Json): number | undefined {
  const description =
    params instanceof URLSearchParams ? params.get('error_description') : params['error_description'];
  const m = /^AADSTS(\d+):/.exec(String(description ?? ''));
  return m ? Number(m[1]) : undefined;
}

function webAuthorize(e: RunningEmulator, extra: Record<string, string> = {}): URL {
  return authorizeUrl(e.url, T, {
    client_id: SAMPLE_IDS.webApp,
    response_type: 'code',
    redirect_uri: WEB_REDIRECT,
    scope: GRAPH_SCOPE,
    ...extra,
  });
}

function redeemWeb(e: RunningEmulator, code: string, extra: Record<string, string> = {}) {
  return tokenRequest(e.url, T, {
    grant_type: 'authorization_code',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    code,
    redirect_uri: WEB_REDIRECT,
    ...extra,
  });
}

/**
 * An interactive sign-in as alice in one "browser": authorize → login → consent (if asked) → code. Returns the
 * final response and the SSO cookie the browser holds afterwards.
 */
async function interactiveSignIn(
  e: RunningEmulator,
  o: { sso?: string; extra?: Record<string, string> } = {},
): Promise<{ done: Response; sso: string }> {
  const page = await get(webAuthorize(e, o.extra), o.sso);
  assert.equal(page.status, 200, 'the login page');
  const cookie = [o.sso, txCookies(page)].filter(Boolean).join('; ');
  let done = await postForm(`${e.url}/_ui/login`, { tx: hiddenTx(await page.text()), ...ALICE }, cookie);
  if (done.status === 200) {
    const html = await done.text();
    assert.match(html, /Permissions requested/);
    done = await postForm(`${e.url}/_ui/consent`, { tx: hiddenTx(html), decision: 'accept' }, cookie);
  }
  const sso = setCookie(done, 'tokenloop_sso');
  assert.ok(sso, 'the sign-in sets the SSO cookie');
  return { done, sso };
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would not send a foreign Host). */
function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('1. sign-in page posts are bound to the browser that started the sign-in', TIMEOUT, () => {
  it('refuses a post without, or with another, transaction cookie; the bound browser still signs in', async () => {
    await withEmulator({}, async (e) => {
      const page = await get(webAuthorize(e, { state: 'st-1' }));
      assert.equal(page.status, 200);
      const tx = hiddenTx(await page.text());
      const set = page.headers.getSetCookie().find((c) => c.startsWith(`tokenloop_tx_${tx}=`));
      assert.ok(set, 'the login page sets a cookie named after its transaction');
      assert.match(set, /; Path=\/_ui(;|$)/);
      assert.match(set, /; HttpOnly(;|$)/);
      assert.match(set, /; SameSite=Lax(;|$)/);
      const cookie = set.split(';')[0]!;

      // an attacker's own transaction, in the attacker's browser
      const attackerPage = await get(webAuthorize(e));
      const attackerCookie = txCookies(attackerPage);

      const refused = async (res: Response) => {
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('location'), null, 'never a redirect to the client');
        assert.equal(setCookie(res, 'tokenloop_sso'), undefined, 'no session');
        assert.match(await res.text(), /AADSTS9002313: [^<]*not started in this browser/);
      };
      const login = (c?: string) => postForm(`${e.url}/_ui/login`, { tx, ...ALICE }, c);
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
        cookie,
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
      const page = await get(`${e.url}/devicelogin`);
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
        txCookies(page),
      );
      assert.equal(entry.status, 200);
      const tx = hiddenTx(await entry.text());
      const hijack = await postForm(`${e.url}/_ui/login`, { tx, ...ALICE });
      assert.equal(hijack.status, 400);
      const ok = await postForm(`${e.url}/_ui/login`, { tx, ...ALICE }, txCookies(entry));
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /Are you trying to sign in to Sample native app\?/);
    });
  });
});

describe('2. admin API: JSON bodies only, loopback Host, same origin', TIMEOUT, () => {
  let e: RunningEmulator;
  let host: string;
  before(async () => {
    e = await startEmulator({});
    host = new URL(e.url).host;
  });
  after(() => e.close());

  const user = () =>
    JSON.stringify({
      username: `u${randomUUID().slice(0, 8)}@contoso.onmicrosoft.com`,
      password: 'pw-12345',
    });

  it('refuses form, text and type-less bodies on state-changing requests with 415', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await raw(e.url, 'POST', '/_emulator/api/users', { host, 'content-type': type }, user());
      assert.equal(res.status, 415, type);
      assert.equal(JSON.parse(res.body).error, 'unsupported_media_type');
    }
    for (const [method, path] of [
      ['POST', '/_emulator/api/users/alice/revoke'],
      ['POST', '/_emulator/api/keys/rotate'],
      ['POST', '/_emulator/stats/reset'],
      ['DELETE', '/_emulator/stats'],
      ['PUT', '/_emulator/api/users/alice/scenarios'],
    ] as const) {
      assert.equal((await raw(e.url, method, path, { host })).status, 415, `${method} ${path}`);
    }
    const ok = await raw(
      e.url,
      'POST',
      '/_emulator/api/users',
      { host, 'content-type': 'application/json; charset=utf-8' },
      user(),
    );
    assert.equal(ok.status, 201);
    const rotate = await raw(e.url, 'POST', '/_emulator/api/keys/rotate', {
      host,
      'content-type': 'application/json',
    });
    assert.equal(rotate.status, 200, 'a JSON request without a body is fine');
  });

  it('refuses a Host that is not a loopback name (DNS rebinding) with 403, on reads too', async () => {
    const port = new URL(e.url).port;
    for (const bad of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, 'x']) {
      const res = await raw(e.url, 'GET', '/_emulator/api/directory', { host: bad });
      assert.equal(res.status, 403, `Host: ${bad}`);
      assert.doesNotMatch(res.body, /password/);
    }
    const posted = await raw(
      e.url,
      'POST',
      '/_emulator/api/users',
      { host: `evil.example:${port}`, 'content-type': 'application/json' },
      user(),
    );
    assert.equal(posted.status, 403);
    for (const good of [host, `localhost:${port}`, `[::1]:${port}`, `127.0.0.2:${port}`]) {
      assert.equal((await raw(e.url, 'GET', '/_emulator/api/directory', { host: good })).status, 200, good);
    }
  });

  it("refuses an Origin other than the emulator's own with 403; no CORS preflight for the admin API", async () => {
    const port = new URL(e.url).port;
    const post = (origin: string) =>
      raw(
        e.url,
        'POST',
        '/_emulator/api/users',
        { host, origin, 'content-type': 'application/json' },
        user(),
      );
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${Number(port) + 1}`,
      'null',
      `https://${host}`,
    ]) {
      const res = await post(origin);
      assert.equal(res.status, 403, `Origin: ${origin}`);
      assert.equal(JSON.parse(res.body).error, 'forbidden');
    }
    assert.equal(
      (await raw(e.url, 'GET', '/_emulator/api/directory', { host, origin: 'http://evil.example' })).status,
      403,
    );
    assert.equal((await post(e.url)).status, 201, 'its own origin');
    assert.equal((await post(`http://localhost:${port}`)).status, 201, 'the same origin under localhost');
    const preflight = await raw(e.url, 'OPTIONS', '/_emulator/api/users', {
      host,
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });
});

describe('3. response_type=id_token returns no code', TIMEOUT, () => {
  it('answers with the ID token only (implicit); refuses it for an app without ID token issuance', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const res = await get(
        webAuthorize(e, { response_type: 'id_token', scope: 'openid profile', nonce: 'n-3', state: 's-3' }),
      );
      assert.ok(new URL(res.headers.get('location') ?? '').hash, 'in the fragment');
      const p = redirectParams(res);
      assert.equal(p.get('code'), null, 'no code the client did not ask for');
      assert.equal(p.get('state'), 's-3');
      const claims = claimsOf(p.get('id_token'));
      assert.equal(claims.aud, SAMPLE_IDS.webApp);
      assert.equal(claims.nonce, 'n-3');
      assert.equal(claims.c_hash, undefined);
      assert.deepEqual([...p.keys()].sort(), ['id_token', 'session_state', 'state']);

      const publicApp = await get(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.publicApp,
          response_type: 'id_token',
          redirect_uri: 'http://127.0.0.1:45999/',
          scope: 'openid',
          nonce: 'n',
        }),
      );
      const err = redirectParams(publicApp, 'http://127.0.0.1:45999/');
      assert.equal(err.get('code'), null);
      assert.equal(err.get('id_token'), null);
      assert.equal(aadsts(err), 700054);
    });
  });
});

describe('4. a code_verifier for a code issued without a code_challenge', TIMEOUT, () => {
  it('is refused with invalid_grant AADSTS50148 (PKCE downgrade); the code still works without one', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const code = redirectParams(await get(webAuthorize(e))).get('code')!;
      for (const verifier of [pkce().verifier, '']) {
        const refused = await redeemWeb(e, code, { code_verifier: verifier });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, 'invalid_grant');
        assert.deepEqual(refused.body.error_codes, [50148]);
        assert.match(String(refused.body.error_description), /had no code_challenge/);
      }
      const ok = await redeemWeb(e, code);
      assert.equal(ok.status, 200);
    });
  });
});

describe('5. max_age for prompt=none and the account picker', TIMEOUT, () => {
  it('a session older than max_age needs a new sign-in: login_required silently, the password after the picker', async () => {
    await withEmulator({}, async (e) => {
      const { sso } = await interactiveSignIn(e);
      // baseline: the session signs in silently, also with a generous max_age
      assert.ok(redirectParams(await get(webAuthorize(e, { prompt: 'none' }), sso)).get('code'));
      assert.ok(
        redirectParams(await get(webAuthorize(e, { prompt: 'none', max_age: '3600' }), sso)).get('code'),
      );
      await new Promise((r) => setTimeout(r, 1100));

      const hints: Record<string, string>[] = [{}, { login_hint: ALICE.username }];
      for (const extra of hints) {
        const stale = redirectParams(
          await get(webAuthorize(e, { prompt: 'none', max_age: '0', state: 's-5', ...extra }), sso),
        );
        assert.equal(stale.get('code'), null);
        assert.equal(stale.get('error'), 'login_required');
        assert.equal(aadsts(stale), 50058);
        assert.match(stale.get('error_description') ?? '', /older than max_age/);
        assert.equal(stale.get('state'), 's-5');
      }

      // the account picker lists alice, but choosing her asks for the password again
      const picker = await get(webAuthorize(e, { prompt: 'select_account', max_age: '0' }), sso);
      assert.equal(picker.status, 200);
      const pickerHtml = await picker.text();
      assert.match(pickerHtml, /alice@contoso\.onmicrosoft\.com/);
      const cookie = `${sso}; ${txCookies(picker)}`;
      const chosen = await postForm(
        `${e.url}/_ui/select-account`,
        { tx: hiddenTx(pickerHtml), account: ALICE.username },
        cookie,
      );
      assert.equal(chosen.status, 200, 'a page, not a code');
      const loginHtml = await chosen.text();
      assert.match(loginHtml, /name="password"/);
      assert.match(loginHtml, /name="username" value="alice@contoso\.onmicrosoft\.com"/);
      const done = await postForm(`${e.url}/_ui/login`, { tx: hiddenTx(loginHtml), ...ALICE }, cookie);
      assert.ok(redirectParams(done).get('code'), 'signed in again');
    });
  });
});

describe('6. state and nonce are bounded', TIMEOUT, () => {
  it('refuses a state or nonce over 2048 characters with AADSTS9002313, without echoing the state', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const longState = redirectParams(await get(webAuthorize(e, { state: 's'.repeat(2049) })));
      assert.equal(longState.get('code'), null);
      assert.equal(longState.get('error'), 'invalid_request');
      assert.equal(aadsts(longState), 9002313);
      assert.match(longState.get('error_description') ?? '', /'state' parameter is too long \(2049/);
      assert.equal(longState.get('state'), null, 'the oversized state is not sent back');

      const longNonce = redirectParams(await get(webAuthorize(e, { state: 'st', nonce: 'n'.repeat(2049) })));
      assert.equal(aadsts(longNonce), 9002313);
      assert.match(longNonce.get('error_description') ?? '', /'nonce' parameter is too long/);
      assert.equal(longNonce.get('state'), 'st');

      // at the limit both are accepted whole (not cut short)
      const state = 's'.repeat(2048);
      const nonce = 'n'.repeat(2048);
      const ok = redirectParams(await get(webAuthorize(e, { state, nonce })));
      assert.equal(ok.get('state'), state);
      const tokens = await redeemWeb(e, ok.get('code')!);
      assert.equal(claimsOf(tokens.body.id_token).nonce, nonce);
    });
  });
});

describe('7. every interactive sign-in gets a new SSO session id', TIMEOUT, () => {
  it('renews the session cookie on sign-in; the old id stops working; silent sign-ins keep it', async () => {
    await withEmulator({}, async (e) => {
      const first = await interactiveSignIn(e);
      // the same browser (or one with that id planted in it) signs in again with its password
      const second = await interactiveSignIn(e, { sso: first.sso, extra: { prompt: 'login' } });
      assert.notEqual(second.sso, first.sso, 'a new session id');
      const old = redirectParams(await get(webAuthorize(e, { prompt: 'none' }), first.sso));
      assert.equal(old.get('error'), 'login_required', 'the old id is worth nothing');
      const silent = await get(webAuthorize(e, { prompt: 'none' }), second.sso);
      assert.ok(redirectParams(silent).get('code'));
      assert.equal(setCookie(silent, 'tokenloop_sso'), second.sso, 'a silent sign-in keeps the id');
    });
  });
});

describe("8. revoking a user's grants", TIMEOUT, () => {
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
        redirectParams(await get(webAuthorize(e, { scope: 'openid User.Read' }))).get('code')!,
      );
      assert.equal(noRefresh.body.refresh_token, undefined);
      const withRefresh = await redeemWeb(e, redirectParams(await get(webAuthorize(e))).get('code')!);
      for (const t of [noRefresh, withRefresh])
        assert.equal((await introspect(t.body.access_token)).active, true);
      const outstandingCode = redirectParams(await get(webAuthorize(e))).get('code')!;
      const device = (await (
        await postForm(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
          client_id: SAMPLE_IDS.publicApp,
          scope: 'openid User.Read',
        })
      ).json()) as Json; // approved at once by the auto-login user, not yet picked up
      const sessions = async () =>
        (await (await get(`${e.url}/_emulator/api/sessions`)).json()) as { username: string }[];
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
      const refresh = await tokenRequest(e.url, T, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        refresh_token: String(withRefresh.body.refresh_token),
      });
      assert.deepEqual(refresh.body.error_codes, [50173]);
      assert.ok(!(await sessions()).some((s) => s.username.includes('alice')), 'out of every SSO session');

      // a new sign-in after the revocation gets a working grant
      const fresh = await redeemWeb(e, redirectParams(await get(webAuthorize(e))).get('code')!);
      assert.equal((await introspect(fresh.body.access_token)).active, true);
    });
  });

  it('ends a sign-in in progress', async () => {
    await withEmulator({}, async (e) => {
      const page = await get(webAuthorize(e));
      const cookie = txCookies(page);
      const consent = await postForm(
        `${e.url}/_ui/login`,
        { tx: hiddenTx(await page.text()), ...ALICE },
        cookie,
      );
      const html = await consent.text();
      assert.match(html, /Permissions requested/);
      e.revokeUserGrants('alice');
      const done = await postForm(`${e.url}/_ui/consent`, { tx: hiddenTx(html), decision: 'accept' }, cookie);
      assert.equal(done.status, 400);
      assert.match(await done.text(), /expired or is unknown/);
    });
  });
});

describe(
  '9. private_key_jwt at /introspect accepts the audiences the token endpoint accepts',
  TIMEOUT,
  () => {
    it('token endpoint URL or issuer: accepted at both endpoints; anything else: AADSTS700027', async () => {
      await withEmulator({ autoLogin: 'alice' }, async (e) => {
        const key = await createSelfSignedKey('introspect-assertion');
        const app = e.addApp({
          name: 'Mail server',
          type: 'daemon',
          certificates: [key.certificatePem],
          applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
        });
        const privateKey = createPrivateKey(key.privateKeyPem);
        const x5t = thumbprints(key.certificatePem).x5t;
        const assertion = (aud: string) => {
          const now = Math.floor(Date.now() / 1000);
          return new SignJWT({ jti: randomUUID() })
            .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
            .setIssuer(app.clientId)
            .setSubject(app.clientId)
            .setAudience(aud)
            .setIssuedAt(now)
            .setNotBefore(now)
            .setExpirationTime(now + 300)
            .sign(privateKey);
        };
        const token = (await redeemWeb(e, redirectParams(await get(webAuthorize(e))).get('code')!)).body
          .access_token;
        const introspect = async (aud: string) =>
          postForm(`${e.url}/${T}/oauth2/v2.0/introspect`, {
            client_id: app.clientId,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await assertion(aud),
            token: String(token),
          });
        const clientCredentials = async (aud: string) =>
          tokenRequest(e.url, T, {
            grant_type: 'client_credentials',
            client_id: app.clientId,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await assertion(aud),
            scope: 'https://graph.microsoft.com/.default',
          });
        const accepted = [
          `${e.url}/${T}/oauth2/v2.0/token`,
          `${e.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
          `${e.url}/${T}/v2.0`,
        ];
        for (const aud of accepted) {
          const res = await introspect(aud);
          assert.equal(res.status, 200, aud);
          assert.equal(((await res.json()) as Json).active, true, aud);
          assert.equal((await clientCredentials(aud)).status, 200, aud);
        }
        for (const aud of [
          `${e.url}/${SAMPLE_IDS.fabrikam}/oauth2/v2.0/token`,
          'https://evil.example/token',
        ]) {
          const res = await introspect(aud);
          assert.equal(res.status, 401, aud);
          const body = (await res.json()) as Json;
          assert.equal(body.error, 'invalid_client');
          assert.equal(aadsts(body), 700027);
          const cc = await clientCredentials(aud);
          assert.equal(cc.status, 401);
          assert.equal(aadsts(cc.body), 700027);
        }
      });
    });
  },
);
