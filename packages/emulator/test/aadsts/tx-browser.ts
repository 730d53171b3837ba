import { type RunningEmulator, SAMPLE_IDS } from '../../src/index.ts';
import { authorizeUrl, postForm } from '../support/flows.ts';
import { GRAPH_SCOPE, T, WEB_REDIRECT } from '../support/web-sign-in.ts';
import { txCookieJar } from '../support/tx-cookies.ts';

/**
 * The browser the AADSTS tests send their requests from: like a browser, it keeps the sign-in transaction
 * cookies and sends them back with the page posts (`/_ui/…`); redirects stay with the caller.
 */

const txJar = txCookieJar();

export async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const txCookie = txJar.header();
  if (txCookie && new URL(url).pathname.startsWith('/_ui/')) {
    headers.set('cookie', [headers.get('cookie'), txCookie].filter(Boolean).join('; '));
  }
  const res = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...init,
    headers,
  });
  txJar.remember(res.headers.getSetCookie());
  return res;
}

/** A form post as the browser above sends it (its transaction cookies go along to the sign-in pages). */
export function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(url, fields, headers, request);
}

/** The web app's sign-in at contoso (code flow, Graph scopes) from the browser above, with `extra` parameters. */
export function webAppAuthorize(e: RunningEmulator, extra: Record<string, string> = {}): Promise<Response> {
  return request(
    authorizeUrl(e.url, T, {
      client_id: SAMPLE_IDS.webApp,
      response_type: 'code',
      redirect_uri: WEB_REDIRECT,
      scope: GRAPH_SCOPE,
      ...extra,
    }),
  );
}
