import {
  type AuthResult,
  type CacheStore,
  type TokenClient,
  createTokenClient,
  memoryStore,
  needsSignIn,
} from 'tokenloop';
import { type CheckedOptions, type WebAuthOptions, WebAuthConfigError, checkWebOptions } from './options.js';
import { type AccountSessions, accountSessions } from './session/account-sessions.js';
import { type WebSession, currentSession } from './session/current-session.js';
import { recordNames } from './session/record-names.js';
import { memorySessionStore, type SessionStore } from './session/session-store.js';
import { callbackRoute } from './session/sign-in-callback.js';
import { loginRoute, loginUrlOf } from './session/sign-in-start.js';
import { signOutRoute } from './session/sign-out.js';
import { type TokenSweep, tokenSweep } from './session/token-sweep.js';
import { SIGN_IN_FINISH_MS } from './session/transaction-cookie.js';
import type { WebRequest, WebResponse } from './session/web-http.js';
import { type TenantPolicy, tenantPolicy } from './tenant-policy.js';
import { SignInRequiredError } from './web-errors.js';

export type { WebRequest, WebResponse } from './session/web-http.js';
export type { WebSession } from './session/current-session.js';

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

type Route = (req: WebRequest) => Promise<WebResponse>;

/** The token sweep's longest interval (S99). */
const SWEEP_INTERVAL_MS = 60_000;

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
  const client = webTokenClient(o, cache);
  const tenants = signInTenants(o, client);
  const policy = { secure: o.secureCookies };
  const redirectUri = `${o.origin}${o.callbackPath}`;
  // S97: every record this app keeps is named in its own namespace (authority, client id, origin).
  const names = recordNames({ authority: client.authority, clientId: o.clientId, origin: o.origin });
  const accounts = accountSessions(sessions, names);
  const sweep = sessionTokenSweep(o, client, cache, accounts);
  const loginUrl = loginUrlOf(o);
  const session = currentSession({ o, sessions, names, accounts });
  const routes = {
    login: loginRoute({ o, client, sessions, names, policy, redirectUri }),
    callback: callbackRoute({
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
    }),
    logout: signOutRoute({ o, client, sessions, names, accounts, policy, current: session }),
  };
  return {
    options: o,
    client,
    session,
    loginUrl,
    async close() {
      sweep.stop();
      await client.close();
    },
    handle: (req) => route(o, routes, req),
    getAccessToken: (s, scopes, returnTo = '/') => accessToken(client, loginUrl, s, scopes, returnTo),
  };
}

/** The library's client for this app (S18: it checks the ID token's issuer against the allowed tenants). */
function webTokenClient(o: CheckedOptions, cache: CacheStore): TokenClient {
  return createTokenClient({
    ...(o.authority ? { authority: o.authority } : { issuer: o.issuer! }),
    clientId: o.clientId,
    ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    ...(o.clientCertificate ? { clientCertificate: o.clientCertificate } : {}),
    ...(o.allowedTenants ? { allowedTenants: o.allowedTenants } : {}),
    cache,
    ...(o.http ? { http: o.http } : {}),
  });
}

/**
 * S95: the bearer verifier's tenant rule, for the users who sign in; a multi-tenant authority without
 * allowedTenants or acceptAnyTenant: true stops start-up here.
 */
function signInTenants(o: CheckedOptions, client: TokenClient): TenantPolicy | undefined {
  return tenantPolicy(client.authority, o, {
    subject: 'app',
    admits: 'signs in users of',
    fail: (message, remediation) => new WebAuthConfigError(`${message}. ${remediation}`),
  });
}

/** S99: the tokens of users whose last session ended (expired, too) are deleted by a sweep. */
function sessionTokenSweep(
  o: CheckedOptions,
  client: TokenClient,
  cache: CacheStore,
  accounts: AccountSessions,
): TokenSweep {
  return tokenSweep({
    cache,
    clientId: o.clientId,
    environment: client.authority.environment,
    isLive: accounts.isLive,
    intervalMs: Math.min(SWEEP_INTERVAL_MS, o.sessionTtlMs),
    graceMs: Math.min(SIGN_IN_FINISH_MS, o.sessionTtlMs),
  });
}

/** The sign-in routes by path and method; undefined for every other request. */
async function route(
  o: CheckedOptions,
  routes: { login: Route; callback: Route; logout: Route },
  req: WebRequest,
): Promise<WebResponse | undefined> {
  const path = req.url.pathname;
  if (path === o.loginPath && req.method === 'GET') return routes.login(req);
  if (path === o.callbackPath && (req.method === 'GET' || req.method === 'POST')) return routes.callback(req);
  if (path === o.logoutPath && (req.method === 'POST' || req.method === 'GET')) return routes.logout(req);
  return undefined;
}

/** An access token for the session's account, or SignInRequiredError with the login URL that gets one. */
async function accessToken(
  client: TokenClient,
  loginUrl: (returnTo: string, scopes?: string[]) => string,
  s: WebSession,
  scopes: string[],
  returnTo: string,
): Promise<AuthResult> {
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
}
