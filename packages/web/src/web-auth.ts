import { type AuthResult, type TokenClient, createTokenClient, memoryStore, needsSignIn } from 'tokenloop';
import { type CheckedOptions, type WebAuthOptions, WebAuthConfigError, checkWebOptions } from './options.js';
import { accountSessions } from './session/account-sessions.js';
import { readCookie } from './session/cookies.js';
import { page, redirect } from './session/pages.js';
import { isSameApp, recordNames } from './session/record-names.js';
import { safeReturnTo } from './session/return-to.js';
import { parseStoredSession } from './session/session-data.js';
import { memorySessionStore, type SessionStore } from './session/session-store.js';
import { callbackRoute } from './session/sign-in-callback.js';
import { signOutRoute } from './session/sign-out.js';
import { tokenSweep } from './session/token-sweep.js';
import { ID, SIGN_IN_FINISH_MS, TX_TTL_MS, newId, setTxCookie } from './session/transaction-cookie.js';
import type { WebRequest, WebResponse } from './session/web-http.js';
import { tenantPolicy } from './tenant-policy.js';
import { SignInRequiredError } from './web-errors.js';

export type { WebRequest, WebResponse } from './session/web-http.js';

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

/** Thrown by `getAccessToken` when the user must go through the provider again (S169: in web-errors.ts). */
export { SignInRequiredError };

export interface WebAuth {
  readonly options: CheckedOptions;
  readonly client: TokenClient;
  /** Handle the login, callback and logout routes; undefined for other requests. */
  handle(req: WebRequest): Promise<WebResponse | undefined>;
  /** The signed-in session of this request, if any (expired or unknown ids are none). */
  session(req: WebRequest): Promise<WebSession | undefined>;
  /** An access token for the session's account; `returnTo` is where incremental consent comes back to. */
  getAccessToken(session: WebSession, scopes: string[], returnTo?: string): Promise<AuthResult>;
  /** The login URL that signs in (or asks consent for `scopes`) and then returns to `returnTo`. */
  loginUrl(returnTo: string, scopes?: string[]): string;
  /** Stops the token sweep (S99) and releases the client's timers and connections. */
  close(): Promise<void>;
}

/** The token sweep's longest interval (S99). */
const SWEEP_INTERVAL_MS = 60_000;

const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;

/**
 * The framework-agnostic core of "Sign in with Microsoft": login (PKCE, state, nonce, a single-use transaction
 * bound to this browser by an opaque cookie, S55), callback (query or form_post; a new session id on every
 * sign-in, S54), sign-out (a POST from the app's own pages, S65; the server-side tokens go with the user's last
 * session or "everywhere", S66; then the provider's end-session), sessions
 * and access tokens for downstream APIs with incremental consent. Options are checked here (S57).
 */
export function createWebAuth(input: WebAuthOptions): WebAuth {
  const o = checkWebOptions(input);
  const sessions: SessionStore = o.sessionStore ?? memorySessionStore();
  const cache = o.tokenCache ?? memoryStore();
  const client = createTokenClient({
    ...(o.authority ? { authority: o.authority } : { issuer: o.issuer! }),
    clientId: o.clientId,
    ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    ...(o.clientCertificate ? { clientCertificate: o.clientCertificate } : {}),
    // S18: the library checks the ID token's issuer against these tenants.
    ...(o.allowedTenants ? { allowedTenants: o.allowedTenants } : {}),
    cache,
    ...(o.http ? { http: o.http } : {}),
  });
  // S95: the bearer verifier's tenant rule; a multi-tenant authority without allowedTenants or
  // acceptAnyTenant: true stops start-up here.
  const tenants = tenantPolicy(client.authority, o, {
    subject: 'app',
    admits: 'signs in users of',
    fail: (message, remediation) => new WebAuthConfigError(`${message}. ${remediation}`),
  });
  const policy = { secure: o.secureCookies };
  const redirectUri = `${o.origin}${o.callbackPath}`;
  // S97: every record this app keeps is named in its own namespace (authority, client id, origin).
  const names = recordNames({ authority: client.authority, clientId: o.clientId, origin: o.origin });
  const accounts = accountSessions(sessions, names);
  // S99: the tokens of users whose last session ended (expired, too) are deleted by a sweep.
  const sweep = tokenSweep({
    cache,
    clientId: o.clientId,
    environment: client.authority.environment,
    isLive: accounts.isLive,
    intervalMs: Math.min(SWEEP_INTERVAL_MS, o.sessionTtlMs),
    graceMs: Math.min(SIGN_IN_FINISH_MS, o.sessionTtlMs),
  });

  const loginUrl = (returnTo: string, scopes?: string[]) => {
    const url = new URL(o.loginPath, o.origin);
    url.searchParams.set('returnTo', safeReturnTo(returnTo, o.origin));
    if (scopes?.length) url.searchParams.set('scopes', scopes.join(' '));
    return `${url.pathname}${url.search}`;
  };

  async function session(req: WebRequest): Promise<WebSession | undefined> {
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
  }

  async function login(req: WebRequest): Promise<WebResponse> {
    const returnTo = safeReturnTo(req.url.searchParams.get('returnTo'), o.origin);
    const extra = (req.url.searchParams.get('scopes') ?? '').split(' ').filter(Boolean);
    if (extra.length > 20 || !extra.every((s) => SCOPE.test(s)))
      return page(400, 'Bad request', 'The requested permissions are malformed.');
    const scopes = extra.length ? extra : o.scopes;
    const { url, transaction } = await client.beginAuthorization({
      redirectUri,
      scopes,
      responseMode: o.responseMode ?? 'query',
    });
    const txId = newId();
    await sessions.set(names.transaction(txId), { transaction, returnTo }, TX_TTL_MS);
    return redirect(url.href, { 'set-cookie': setTxCookie(policy, o, txId, TX_TTL_MS) });
  }

  const callback = callbackRoute({
    o,
    client,
    sessions,
    names,
    accounts,
    tenants,
    sweep,
    policy,
    redirectUri,
    current: session,
  });

  const logout = signOutRoute({ o, client, sessions, names, accounts, policy, current: session });

  return {
    options: o,
    client,
    session,
    loginUrl,
    async close() {
      sweep.stop();
      await client.close();
    },
    async handle(req) {
      const path = req.url.pathname;
      if (path === o.loginPath && req.method === 'GET') return login(req);
      if (path === o.callbackPath && (req.method === 'GET' || req.method === 'POST')) return callback(req);
      if (path === o.logoutPath && (req.method === 'POST' || req.method === 'GET')) return logout(req);
      return undefined;
    },
    async getAccessToken(s, scopes, returnTo = '/') {
      try {
        // S69: the account is named by its stable key only; a missing record is "sign in again" (below).
        const result = await client.acquireTokenSilent({ account: s.homeAccountId, scopes });
        if (result.account?.homeAccountId !== s.homeAccountId)
          throw new SignInRequiredError('the token is not for this session', loginUrl(returnTo, scopes));
        return result;
      } catch (err) {
        if (needsSignIn(err)) throw new SignInRequiredError(err.message, loginUrl(returnTo, scopes));
        throw err;
      }
    },
  };
}
