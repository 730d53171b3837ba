import type { CheckedOptions } from '../options.js';
import type { AccountSessions } from './account-sessions.js';
import { readCookie } from './cookies.js';
import { type RecordNames, isSameApp } from './record-names.js';
import { parseStoredSession } from './session-data.js';
import type { SessionStore } from './session-store.js';
import { ID } from './transaction-cookie.js';
import type { WebRequest } from './web-http.js';

/** The signed-in user, as kept in the server-side session. Tokens are never in it (they stay in the token cache). */
export interface WebSession {
  id: string;
  homeAccountId: string;
  username: string | undefined;
  name: string | undefined;
  tenantId: string | undefined;
  /** Selected ID-token claims (oid, tid, sub, name, preferred_username). */
  claims: Record<string, unknown>;
  signedInAt: number;
}

export interface CurrentSessionDeps {
  o: CheckedOptions;
  sessions: SessionStore;
  names: RecordNames;
  accounts: AccountSessions;
}

/** Reads the signed-in session a request brings, if any (expired or unknown ids are none). */
export function currentSession(d: CurrentSessionDeps): (req: WebRequest) => Promise<WebSession | undefined> {
  const { o, sessions, names, accounts } = d;
  return async (req) => {
    const id = readCookie(req.cookieHeader, o.cookieName);
    if (!id || !ID.test(id)) return undefined;
    // S68: what the store returns is checked, whichever store it is; the lifetime holds whatever its TTL did.
    const data = parseStoredSession(await sessions.get(names.session(id)));
    if (!data || data.signedInAt + o.sessionTtlMs <= Date.now()) return undefined;
    // S97: another app's session (a store shared with it) is none here.
    if (!isSameApp(data.app, names.app)) return undefined;
    // S66, S98: current only while its account's record is there with the session's epoch and lists it ("sign
    // out everywhere" deletes the record, a sign-out the entry; a store that loses either: fail closed).
    if (!(await accounts.isCurrent(data.homeAccountId, data.epoch, names.session(id)))) return undefined;
    const { homeAccountId, username, name, tenantId, claims, signedInAt } = data;
    return { id, homeAccountId, username, name, tenantId, claims, signedInAt };
  };
}
