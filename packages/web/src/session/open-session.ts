import type { TokenClient } from 'tokenloop';
import type { CheckedOptions } from '../options.js';
import type { AccountSessions } from './account-sessions.js';
import { type CookiePolicy, setCookie } from './cookies.js';
import { redirect } from './pages.js';
import type { RecordNames } from './record-names.js';
import { safeReturnTo } from './return-to.js';
import type { SignedInUser, StoredSession } from './session-data.js';
import type { SessionStore } from './session-store.js';
import { type SessionRef, endSession } from './sign-out.js';
import type { TokenSweep } from './token-sweep.js';
import { newId } from './transaction-cookie.js';
import type { WebRequest, WebResponse } from './web-http.js';

export interface OpenSessionDeps {
  o: CheckedOptions;
  client: TokenClient;
  sessions: SessionStore;
  names: RecordNames;
  accounts: AccountSessions;
  sweep: TokenSweep;
  policy: CookiePolicy;
  /** The signed-in session this request brought, if any. */
  current(req: WebRequest): Promise<SessionRef | undefined>;
  /** The Set-Cookie value that ends the sign-in transaction. */
  clearTx: string;
}

/**
 * The end of a sign-in: a new session id on every sign-in, and any session the browser brought is ended (S54,
 * fixation); then back to the page the sign-in started from (S10).
 */
export async function openSession(
  d: OpenSessionDeps,
  req: WebRequest,
  user: SignedInUser,
  returnTo: string,
): Promise<WebResponse> {
  const { o, sessions, names } = d;
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
  if (previous) await endSession({ client: d.client, sessions, names, accounts: d.accounts }, previous);
  const sessionCookie = setCookie(d.policy, o.cookieName, id, {
    maxAgeSeconds: Math.floor(o.sessionTtlMs / 1000),
  });
  // S10: the target is checked again where it is used (it came back from the store).
  return redirect(safeReturnTo(returnTo, o.origin), { 'set-cookie': [d.clearTx, sessionCookie] }, 303);
}
