import { type AuthResult, type TokenClient, TokenloopError } from 'tokenloop';
import type { CheckedOptions } from '../options.js';
import type { TenantPolicy } from '../tenant-policy.js';
import type { AccountSessions } from './account-sessions.js';
import { type CookiePolicy, readCookie, setCookie } from './cookies.js';
import { page, redirect } from './pages.js';
import type { RecordNames } from './record-names.js';
import { safeReturnTo } from './return-to.js';
import {
  SESSION_CLAIMS,
  type SignedInUser,
  type StoredSession,
  parseStoredFinish,
  parseStoredTransaction,
} from './session-data.js';
import type { SessionStore } from './session-store.js';
import { type SessionRef, endSession } from './sign-out.js';
import type { TokenSweep } from './token-sweep.js';
import { ID, SIGN_IN_FINISH_MS, TX_COOKIE, clearTxCookie, newId, setTxCookie } from './transaction-cookie.js';
import type { WebRequest, WebResponse } from './web-http.js';
import { httpStatusOf } from '../web-errors.js';

export interface CallbackDeps {
  o: CheckedOptions;
  client: TokenClient;
  sessions: SessionStore;
  names: RecordNames;
  accounts: AccountSessions;
  tenants: TenantPolicy | undefined;
  sweep: TokenSweep;
  policy: CookiePolicy;
  redirectUri: string;
  /** The signed-in session this request brought, if any. */
  current(req: WebRequest): Promise<SessionRef | undefined>;
}

/** The query parameter of the form_post finishing step (a GET of the callback route). */
const FINISH = 'finish';

/**
 * The callback route. The provider's answer — a GET (`query`) or a POST (`form_post`) — is checked against the
 * single-use transaction of this browser (S55, S04) and its code redeemed. A GET then opens the session. A POST
 * comes from the provider's page, cross-site: the browser sends the SameSite=None transaction cookie but not the
 * SameSite=Lax session cookie, so the session it brought could not be seen, let alone ended (S54). So a POST
 * keeps who signed in under a fresh single-use id in the transaction cookie and answers with a 303 to a GET of
 * the callback route: that same-site step, with the session cookie present, opens the session. Opening a
 * session issues a new id and ends any session the browser brought (S54).
 */
export function callbackRoute(d: CallbackDeps): (req: WebRequest) => Promise<WebResponse> {
  const { o, client, sessions, names } = d;
  const clearTx = clearTxCookie(d.policy, o);
  const expired = () =>
    page(
      400,
      'Sign-in expired',
      'This sign-in response does not belong to a sign-in started in this browser, or it was already used. Start again.',
      { 'set-cookie': clearTx },
    );

  return async (req) => {
    if (req.method === 'GET' && req.url.searchParams.has(FINISH)) return finish(req);
    const redeemed = await redeem(req);
    if ('status' in redeemed) return redeemed;
    if (req.method !== 'POST') return open(req, redeemed.user, redeemed.returnTo);
    // S54: finish in a same-site GET, bound to this browser by a new single-use id (S55).
    const finishId = newId();
    await sessions.set(
      names.finish(finishId),
      { ...redeemed, user: { ...redeemed.user } },
      SIGN_IN_FINISH_MS,
    );
    const cookie = setTxCookie(d.policy, o, finishId, SIGN_IN_FINISH_MS);
    return redirect(`${o.callbackPath}?${FINISH}=1`, { 'set-cookie': cookie }, 303);
  };

  /** The provider's answer: the transaction taken (once), the code redeemed, who signed in checked. */
  async function redeem(req: WebRequest): Promise<WebResponse | { user: SignedInUser; returnTo: string }> {
    const params = req.method === 'POST' ? (req.form ?? new URLSearchParams()) : req.url.searchParams;
    const txId = readCookie(req.cookieHeader, TX_COOKIE);
    // Single use: the transaction is removed before anything else happens (S55); no cookie, no sign-in (S04).
    // S68: every read from the store goes through its parse function.
    const stored =
      txId && ID.test(txId)
        ? parseStoredTransaction(await sessions.take(names.transaction(txId)))
        : undefined;
    if (!stored || stored.transaction.redirectUri !== d.redirectUri) return expired();
    let result: AuthResult;
    try {
      result = await client.completeAuthorization(stored.transaction, params);
    } catch (err) {
      const e = err instanceof TokenloopError ? err : undefined;
      const status = httpStatusOf(err, 'sign-in'); // S169: 502 when transient (the library's rule), else 400
      return page(
        status,
        'Sign-in failed',
        `${e?.message ?? 'The sign-in could not be completed.'}${e?.remediation ? ` ${e.remediation}` : ''}`,
        { 'set-cookie': clearTx },
      );
    }
    const account = result.account;
    // S69: a session is bound to one account by its stable key; without an ID token there is none.
    // S161: who signed in is read from the ID token's claims the library validated, never decoded here.
    const idClaims = result.idTokenClaims;
    if (!account || !result.idToken || !idClaims) {
      return page(400, 'Sign-in failed', 'The provider did not say who signed in (no ID token).', {
        'set-cookie': clearTx,
      });
    }
    // S95: the user's tenant must be one the app accepts (the same rule as the bearer verifier's, S60, S61, S64).
    if (d.tenants && d.tenants.tenantOf(await client.server(), idClaims) === undefined) {
      await client.removeAccount(account.homeAccountId).catch(() => false);
      return page(
        403,
        'Sign-in refused',
        "Accounts of your organization cannot sign in to this app. Sign in with another account, or ask the app's owner.",
        { 'set-cookie': clearTx },
      );
    }
    const claims: Record<string, string> = {};
    for (const k of SESSION_CLAIMS) {
      const v = idClaims[k];
      if (typeof v === 'string' && v.length > 0 && v.length <= 4096) claims[k] = v;
    }
    const user: SignedInUser = {
      homeAccountId: account.homeAccountId,
      username: account.username,
      name: account.name,
      tenantId: account.tenantId,
      claims,
    };
    return { user, returnTo: stored.returnTo };
  }

  /** S54: the form_post's same-site finishing step, bound to this browser and single-use (S55). */
  async function finish(req: WebRequest): Promise<WebResponse> {
    const finishId = readCookie(req.cookieHeader, TX_COOKIE);
    const stored =
      finishId && ID.test(finishId)
        ? parseStoredFinish(await sessions.take(names.finish(finishId)))
        : undefined;
    return stored ? open(req, stored.user, stored.returnTo) : expired();
  }

  /** A new session id on every sign-in; any session the browser brought is ended (S54, fixation). */
  async function open(req: WebRequest, user: SignedInUser, returnTo: string): Promise<WebResponse> {
    const previous = await d.current(req);
    const id = newId();
    const signedInAt = Date.now();
    const endsAt = signedInAt + o.sessionTtlMs;
    // S98: the session joins its account's record first, and keeps the record's epoch.
    const epoch = await d.accounts.add(user.homeAccountId, names.session(id), endsAt);
    d.sweep.sessionEnds(user.homeAccountId, endsAt); // S99
    const data: StoredSession = { ...user, app: { ...names.app }, signedInAt, epoch };
    await sessions.set(names.session(id), { ...data }, o.sessionTtlMs);
    // After the new session joined its account, so that signing in again as the same user keeps the tokens.
    if (previous) await endSession({ client, sessions, names, accounts: d.accounts }, previous);
    const sessionCookie = setCookie(d.policy, o.cookieName, id, {
      maxAgeSeconds: Math.floor(o.sessionTtlMs / 1000),
    });
    // S10: the target is checked again where it is used (it came back from the store).
    return redirect(safeReturnTo(returnTo, o.origin), { 'set-cookie': [clearTx, sessionCookie] }, 303);
  }
}
