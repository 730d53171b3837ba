import * as assert from 'node:assert/strict';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS } from '../../src/index.ts';
import { authorizeUrl, getManual, postForm, tokenRequest } from './flows.ts';
import { hiddenTx } from './harness.ts';
import { txCookies } from './tx-cookies.ts';

/** The sample web app signing alice in over plain HTTP: what the sign-in, session and parameter tests share. */

export const T = SAMPLE_IDS.contoso;
export const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
export const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
export const GRAPH_SCOPE = 'openid profile offline_access https://graph.microsoft.com/User.Read';

export type Json = Record<string, unknown>;

/** The Cookie header of a browser holding `cookie` (none when undefined). */
export function cookieHeader(cookie?: string): Record<string, string> {
  return cookie ? { cookie } : {};
}

/** `name=value` of a cookie a response set, or undefined. */
export function setCookie(res: Response, name: string): string | undefined {
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];
}

/** Parameters of a 302 to the redirect URI, from the query or the fragment. */
export function redirectParams(res: Response, redirectUri: string = WEB_REDIRECT): URLSearchParams {
  assert.equal(res.status, 302, `a redirect, not ${res.status}`);
  const location = res.headers.get('location') ?? '';
  assert.ok(location.startsWith(redirectUri), `redirects to ${redirectUri}: ${location.slice(0, 80)}`);
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}

/** The AADSTS number an error description starts with, or undefined. */
export function aadsts(params: URLSearchParams | Json): number | undefined {
  const description =
    params instanceof URLSearchParams ? params.get('error_description') : params['error_description'];
  const m = /^AADSTS(\d+):/.exec(String(description ?? ''));
  return m ? Number(m[1]) : undefined;
}

export function webAuthorize(e: RunningEmulator, extra: Record<string, string> = {}): URL {
  return authorizeUrl(e.url, T, {
    client_id: SAMPLE_IDS.webApp,
    response_type: 'code',
    redirect_uri: WEB_REDIRECT,
    scope: GRAPH_SCOPE,
    ...extra,
  });
}

export function redeemWeb(e: RunningEmulator, code: string, extra: Record<string, string> = {}) {
  return tokenRequest(e.url, T, {
    grant_type: 'authorization_code',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    code,
    redirect_uri: WEB_REDIRECT,
    ...extra,
  });
}

/** The web app (the sample's confidential client) redeems its refresh token. */
export function refreshWeb(e: RunningEmulator, refreshToken: unknown, extra: Record<string, string> = {}) {
  return tokenRequest(e.url, T, {
    grant_type: 'refresh_token',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    refresh_token: String(refreshToken),
    ...extra,
  });
}

/**
 * An interactive sign-in as alice in one "browser": authorize → login → consent (if asked) → code. Returns the
 * final response and the SSO cookie the browser holds afterwards.
 */
export async function interactiveSignIn(
  e: RunningEmulator,
  o: { sso?: string; extra?: Record<string, string> } = {},
): Promise<{ done: Response; sso: string }> {
  const page = await getManual(webAuthorize(e, o.extra), cookieHeader(o.sso));
  assert.equal(page.status, 200, 'the login page');
  const cookie = [o.sso, txCookies(page)].filter(Boolean).join('; ');
  let done = await postForm(`${e.url}/_ui/login`, { tx: hiddenTx(await page.text()), ...ALICE }, { cookie });
  if (done.status === 200) {
    const html = await done.text();
    assert.match(html, /Permissions requested/);
    done = await postForm(`${e.url}/_ui/consent`, { tx: hiddenTx(html), decision: 'accept' }, { cookie });
  }
  const sso = setCookie(done, 'tokenloop_sso');
  assert.ok(sso, 'the sign-in sets the SSO cookie');
  return { done, sso };
}
