import { type TokenClient, isScopeToken } from 'tokenloop';
import type { CheckedOptions } from '../options.js';
import type { CookiePolicy } from './cookies.js';
import { page, redirect } from './pages.js';
import type { RecordNames } from './record-names.js';
import { safeReturnTo } from './return-to.js';
import type { SessionStore } from './session-store.js';
import { TX_TTL_MS, newId, setTxCookie } from './transaction-cookie.js';
import type { WebRequest, WebResponse } from './web-http.js';

export interface SignInStartDeps {
  o: CheckedOptions;
  client: TokenClient;
  sessions: SessionStore;
  names: RecordNames;
  policy: CookiePolicy;
  redirectUri: string;
}

/** How many scopes a login URL may ask for. */
const MAX_SCOPES = 20;

/** The app's login URL that signs in (or asks consent for `scopes`) and then returns to `returnTo` (S10). */
export function loginUrlOf(o: CheckedOptions): (returnTo: string, scopes?: string[]) => string {
  return (returnTo, scopes) => {
    const url = new URL(o.loginPath, o.origin);
    url.searchParams.set('returnTo', safeReturnTo(returnTo, o.origin));
    if (scopes?.length) url.searchParams.set('scopes', scopes.join(' '));
    return `${url.pathname}${url.search}`;
  };
}

/**
 * The login route: the provider's authorization URL (PKCE, state, nonce), and a single-use transaction kept in
 * the store under an opaque id that the transaction cookie binds to this browser (S55).
 */
export function loginRoute(d: SignInStartDeps): (req: WebRequest) => Promise<WebResponse> {
  const { o, client, sessions, names } = d;
  return async (req) => {
    const returnTo = safeReturnTo(req.url.searchParams.get('returnTo'), o.origin);
    const extra = (req.url.searchParams.get('scopes') ?? '').split(' ').filter(Boolean);
    if (extra.length > MAX_SCOPES || !extra.every(isScopeToken))
      return page(400, 'Bad request', 'The requested permissions are malformed.');
    const scopes = extra.length ? extra : o.scopes;
    const { url, transaction } = await client.beginAuthorization({
      redirectUri: d.redirectUri,
      scopes,
      responseMode: o.responseMode ?? 'query',
    });
    const txId = newId();
    await sessions.set(names.transaction(txId), { transaction, returnTo }, TX_TTL_MS);
    return redirect(url.href, { 'set-cookie': setTxCookie(d.policy, o, txId, TX_TTL_MS) });
  };
}
