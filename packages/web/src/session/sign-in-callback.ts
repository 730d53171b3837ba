import { type AuthResult, type TokenClient, TokenloopError } from 'tokenloop';
import type { CheckedOptions } from '../options.js';
import type { TenantPolicy } from '../tenant-policy.js';
import { httpStatusOf } from '../web-errors.js';
import type { AccountSessions } from './account-sessions.js';
import { type CookiePolicy, readCookie } from './cookies.js';
import { type OpenSessionDeps, openSession } from './open-session.js';
import { page, redirect } from './pages.js';
import type { RecordNames } from './record-names.js';
import {
  MAX_STORED_TEXT,
  SESSION_CLAIMS,
  type SignedInUser,
  type StoredTransaction,
  parseStoredFinish,
  parseStoredTransaction,
} from './session-data.js';
import type { SessionStore } from './session-store.js';
import type { SessionRef } from './sign-out.js';
import type { TokenSweep } from './token-sweep.js';
import { ID, SIGN_IN_FINISH_MS, TX_COOKIE, clearTxCookie, newId, setTxCookie } from './transaction-cookie.js';
import type { WebRequest, WebResponse } from './web-http.js';

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

/** The route's dependencies and the Set-Cookie value that ends the sign-in transaction, made once. */
interface Callback extends CallbackDeps, OpenSessionDeps {}

/** Who signed in, once the provider's answer is redeemed, and where the sign-in started. */
interface Redeemed {
  user: SignedInUser;
  returnTo: string;
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
  const c: Callback = { ...d, clearTx: clearTxCookie(d.policy, d.o) };
  return async (req) => {
    if (req.method === 'GET' && req.url.searchParams.has(FINISH)) return finish(c, req);
    const redeemed = await redeem(c, req);
    if ('status' in redeemed) return redeemed;
    if (req.method !== 'POST') return openSession(c, req, redeemed.user, redeemed.returnTo);
    return finishLater(c, redeemed);
  };
}

/** The provider's answer: the transaction taken (once), the code redeemed, who signed in checked. */
async function redeem(c: Callback, req: WebRequest): Promise<WebResponse | Redeemed> {
  const params = req.method === 'POST' ? (req.form ?? new URLSearchParams()) : req.url.searchParams;
  const stored = await takeTransaction(c, req);
  if (!stored || stored.transaction.redirectUri !== c.redirectUri) return expired(c);
  let result: AuthResult;
  try {
    result = await c.client.completeAuthorization(stored.transaction, params);
  } catch (err) {
    return signInFailed(c, err);
  }
  const account = result.account;
  // S69: a session is bound to one account by its stable key; without an ID token there is none.
  // S161: who signed in is read from the ID token's claims the library validated, never decoded here.
  const idClaims = result.idTokenClaims;
  if (!account || !result.idToken || !idClaims) {
    return page(400, 'Sign-in failed', 'The provider did not say who signed in (no ID token).', {
      'set-cookie': c.clearTx,
    });
  }
  // S95: the user's tenant must be one the app accepts (the same rule as the bearer verifier's, S60, S61, S64).
  if (c.tenants && c.tenants.tenantOf(await c.client.server(), idClaims) === undefined)
    return refuseTenant(c, account.homeAccountId);
  return { user: signedInUser(account, idClaims), returnTo: stored.returnTo };
}

/**
 * This browser's sign-in transaction, taken from the store: single use, so it is removed before anything else
 * happens (S55); no cookie, no sign-in (S04). S68: every read from the store goes through its parse function.
 */
async function takeTransaction(c: Callback, req: WebRequest): Promise<StoredTransaction | undefined> {
  const { sessions, names } = c;
  const txId = readCookie(req.cookieHeader, TX_COOKIE);
  return txId && ID.test(txId)
    ? parseStoredTransaction(await sessions.take(names.transaction(txId)))
    : undefined;
}

/** The session's user: the account's stable key and names, and the ID token's selected claims (bounded). */
function signedInUser(
  account: NonNullable<AuthResult['account']>,
  idClaims: NonNullable<AuthResult['idTokenClaims']>,
): SignedInUser {
  const claims: Record<string, string> = {};
  for (const k of SESSION_CLAIMS) {
    const v = idClaims[k];
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_STORED_TEXT) claims[k] = v;
  }
  return {
    homeAccountId: account.homeAccountId,
    username: account.username,
    name: account.name,
    tenantId: account.tenantId,
    claims,
  };
}

/** S54: a form_post finishes in a same-site GET, bound to this browser by a new single-use id (S55). */
async function finishLater(c: Callback, redeemed: Redeemed): Promise<WebResponse> {
  const { sessions, names } = c;
  const finishId = newId();
  await sessions.set(names.finish(finishId), { ...redeemed, user: { ...redeemed.user } }, SIGN_IN_FINISH_MS);
  const cookie = setTxCookie(c.policy, c.o, finishId, SIGN_IN_FINISH_MS);
  return redirect(`${c.o.callbackPath}?${FINISH}=1`, { 'set-cookie': cookie }, 303);
}

/** S54: the form_post's same-site finishing step, bound to this browser and single-use (S55). */
async function finish(c: Callback, req: WebRequest): Promise<WebResponse> {
  const { sessions, names } = c;
  const finishId = readCookie(req.cookieHeader, TX_COOKIE);
  const stored =
    finishId && ID.test(finishId)
      ? parseStoredFinish(await sessions.take(names.finish(finishId)))
      : undefined;
  return stored ? openSession(c, req, stored.user, stored.returnTo) : expired(c);
}

/** No sign-in of this browser is waiting for this answer. */
function expired(c: Callback): WebResponse {
  return page(
    400,
    'Sign-in expired',
    'This sign-in response does not belong to a sign-in started in this browser, or it was already used. Start again.',
    { 'set-cookie': c.clearTx },
  );
}

/** The provider refused or the code could not be redeemed: the library's words, its status (S169). */
function signInFailed(c: Callback, err: unknown): WebResponse {
  const e = err instanceof TokenloopError ? err : undefined;
  const status = httpStatusOf(err, 'sign-in'); // S169: 502 when transient (the library's rule), else 400
  return page(
    status,
    'Sign-in failed',
    `${e?.message ?? 'The sign-in could not be completed.'}${e?.remediation ? ` ${e.remediation}` : ''}`,
    { 'set-cookie': c.clearTx },
  );
}

/** S95: a user of a tenant the app does not accept gets no session, and the tokens just redeemed go. */
async function refuseTenant(c: Callback, homeAccountId: string): Promise<WebResponse> {
  await c.client.removeAccount(homeAccountId).catch(() => false);
  return page(
    403,
    'Sign-in refused',
    "Accounts of your organization cannot sign in to this app. Sign in with another account, or ask the app's owner.",
    { 'set-cookie': c.clearTx },
  );
}
