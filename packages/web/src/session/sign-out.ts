import type { TokenClient } from 'tokenloop';
import type { CheckedOptions } from '../options.js';
import type { AccountSessions } from './account-sessions.js';
import type { RecordNames } from './record-names.js';
import { type CookiePolicy, clearCookie } from './cookies.js';
import { redirect, signOutPage } from './pages.js';
import { fromOwnPage } from './same-origin.js';
import type { SessionStore } from './session-store.js';
import type { WebRequest, WebResponse } from './web-http.js';

/** What sign-out needs of a session. */
export interface SessionRef {
  id: string;
  homeAccountId: string;
  username?: string | undefined;
}

export interface SignOutDeps {
  o: CheckedOptions;
  client: TokenClient;
  sessions: SessionStore;
  names: RecordNames;
  accounts: AccountSessions;
  policy: CookiePolicy;
  current(req: WebRequest): Promise<SessionRef | undefined>;
}

/**
 * End one session (S54): delete it and take it off its account's list; when no other session of that user is
 * left, the server-side tokens go too (S66). Used by sign-out and when a sign-in replaces a session.
 */
export async function endSession(
  d: Pick<SignOutDeps, 'client' | 'sessions' | 'names' | 'accounts'>,
  s: SessionRef,
): Promise<void> {
  await d.sessions.delete(d.names.session(s.id));
  const others = await d.accounts.remove(s.homeAccountId, d.names.session(s.id));
  if (others === 0) await d.client.removeAccount(s.homeAccountId).catch(() => false);
}

/**
 * The sign-out route. GET changes nothing and shows a confirmation page whose form POSTs back (S65). A POST
 * signs out only when it comes from the app's own pages (`Origin` / `Sec-Fetch-Site`, S65); otherwise it changes
 * nothing and shows the confirmation page with 403. Signing out ends this session; `everywhere=1` in the form
 * ends every session of the user and removes the server-side tokens (S66). Then the browser goes to the
 * provider's end-session endpoint, which returns it to `postLogoutPath`.
 */
export function signOutRoute(d: SignOutDeps): (req: WebRequest) => Promise<WebResponse> {
  const { o, client } = d;
  const clear = clearCookie(d.policy, o.cookieName);
  const postLogoutRedirectUri = `${o.origin}${o.postLogoutPath}`;
  const endSessionUrl = (homeAccountId: string) =>
    client.endSessionUrl({ account: homeAccountId, postLogoutRedirectUri }).catch(() => undefined);

  return async (req) => {
    const current = await d.current(req);
    const post = req.method === 'POST';
    if (post && !fromOwnPage(req, o.origin)) return confirmation(current, 403);
    if (!current) return redirect(o.postLogoutPath, { 'set-cookie': clear }, post ? 303 : 302);
    if (!post) return confirmation(current, 200);
    const end = await endSessionUrl(current.homeAccountId);
    if (req.form?.get('everywhere') === '1') {
      // S98: every session of the user is deleted, and the account record with the epoch they need.
      await d.sessions.delete(d.names.session(current.id));
      await d.accounts.endAll(current.homeAccountId);
      await client.removeAccount(current.homeAccountId).catch(() => false);
    } else {
      await endSession(d, current);
    }
    return redirect(end?.href ?? o.postLogoutPath, { 'set-cookie': clear }, 303);
  };

  async function confirmation(current: SessionRef | undefined, status: number): Promise<WebResponse> {
    const end = current ? await endSessionUrl(current.homeAccountId) : undefined;
    // The provider's origin as configured too, should discovery fail now and work at the POST.
    const providers = new Set([new URL((o.authority ?? o.issuer)!).origin, ...(end ? [end.origin] : [])]);
    return signOutPage({
      status,
      action: o.logoutPath,
      username: current?.username,
      endSessionOrigins: [...providers],
      refused: status === 403,
    });
  }
}
