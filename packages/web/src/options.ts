import {
  type CacheStore,
  type ClientCertificate,
  type HttpOptions,
  checkAllowedTenants,
  isLoopbackHost,
} from 'tokenloop';
import {
  CLIENT_CERTIFICATE_KEYS,
  HTTP_OPTION_KEYS,
  type OptionKeys,
  checkOptionKeys,
} from './option-keys.js';
import { safeReturnTo } from './session/return-to.js';
import type { SessionStore } from './session/session-store.js';
import { WebAuthConfigError } from './web-errors.js';

/** Options of `createWebAuth`; checked when it is created, so a misconfiguration stops start-up (S57). */
export interface WebAuthOptions {
  /** Entra authority `https://HOST/TENANT` (or the emulator's), or `issuer` for any OpenID provider. */
  authority?: string;
  issuer?: string;
  clientId: string;
  /**
   * Entra: only users of these tenants (ids) may sign in (S95). A multi-tenant authority (`organizations`,
   * `common`) needs this or `acceptAnyTenant`; next to a tenant's own authority it must list that tenant.
   */
  allowedTenants?: string[];
  /**
   * Entra `organizations` / `common`: users of every tenant may sign in — your app then decides by
   * `session.tenantId` (S95). `common` includes personal Microsoft accounts; `organizations` never does.
   */
  acceptAnyTenant?: boolean;
  /** A web app is a confidential client: a secret or a certificate is required. */
  clientSecret?: string;
  clientCertificate?: ClientCertificate;
  /**
   * The app's public origin, e.g. `https://app.example.com` or `http://127.0.0.1:3000`. Redirect URIs and
   * return targets are built from it — never from `Host` / `X-Forwarded-*` headers (S52).
   */
  baseUrl: string;
  /** Paths the middleware serves (defaults `/auth/login`, `/auth/callback`, `/auth/logout`). */
  loginPath?: string;
  callbackPath?: string;
  logoutPath?: string;
  /** Where the provider sends the browser after sign-out (default `/`). */
  postLogoutPath?: string;
  /** Scopes asked for at sign-in (default `User.Read`); more can be consented later (incremental consent). */
  scopes?: string[];
  /** `query` (default) or `form_post` (needs https: its cookie must be SameSite=None; Secure). */
  responseMode?: 'query' | 'form_post';
  /** Sessions and transactions (default: memory). Use `redisSessionStore` for several instances. */
  sessionStore?: SessionStore;
  /** Tokens, server-side (default: memory). Use `redisStore` from `tokenloop/redis` for several instances. */
  tokenCache?: CacheStore;
  /**
   * Session lifetime in seconds (default 8 hours, at least 10). The server-side tokens of a user go within one
   * sweep interval (this lifetime, at most a minute) after their last session ends (S99).
   */
  sessionTtlSeconds?: number;
  /** Name of the session cookie (default `tl_session`). */
  cookieName?: string;
  http?: HttpOptions;
}

export { WebAuthConfigError };

/** S96: the keys `createWebAuth` knows. */
const WEB_AUTH_KEYS: OptionKeys<WebAuthOptions> = {
  authority: true,
  issuer: true,
  clientId: true,
  allowedTenants: true,
  acceptAnyTenant: true,
  clientSecret: true,
  clientCertificate: true,
  baseUrl: true,
  loginPath: true,
  callbackPath: true,
  logoutPath: true,
  postLogoutPath: true,
  scopes: true,
  responseMode: true,
  sessionStore: true,
  tokenCache: true,
  sessionTtlSeconds: true,
  cookieName: true,
  http: true,
};
const configError = (message: string) => new WebAuthConfigError(message);

/**
 * A route or landing path of the app: plain characters only, and exactly what `safeReturnTo` makes of it, so a
 * configured path can never lead off the app's origin either (S10).
 */
const path = (v: string | undefined, fallback: string, name: string, origin: string) => {
  const p = v ?? fallback;
  if (typeof p !== 'string' || !/^\/[A-Za-z0-9/_.-]*$/.test(p) || safeReturnTo(p, origin) !== p)
    throw new WebAuthConfigError(`${name} must be a path like ${fallback}`);
  return p;
};

export interface CheckedOptions extends WebAuthOptions {
  origin: string;
  loginPath: string;
  callbackPath: string;
  logoutPath: string;
  postLogoutPath: string;
  scopes: string[];
  sessionTtlMs: number;
  cookieName: string;
  secureCookies: boolean;
}

/** Validate everything up front: one clear message per mistake (S57). */
export function checkWebOptions(o: WebAuthOptions): CheckedOptions {
  if (typeof o !== 'object' || o === null)
    throw new WebAuthConfigError('createWebAuth needs an options object');
  // S96: an option it does not know (a typo, one of another function) stops start-up.
  checkOptionKeys(o, WEB_AUTH_KEYS, 'createWebAuth', configError);
  checkOptionKeys(o.http, HTTP_OPTION_KEYS, 'createWebAuth http', configError);
  checkOptionKeys(
    o.clientCertificate,
    CLIENT_CERTIFICATE_KEYS,
    'createWebAuth clientCertificate',
    configError,
  );
  if (!o.authority === !o.issuer)
    throw new WebAuthConfigError('give exactly one of authority (Entra) or issuer (any OpenID provider)');
  if (typeof o.clientId !== 'string' || !o.clientId)
    throw new WebAuthConfigError("clientId is required (the app registration's application id)");
  // S216: the library's one rule for the list, told as the web's error before the library client is made.
  checkAllowedTenants(o.allowedTenants, (m, r) => new WebAuthConfigError(`${m}. ${r}`), 'app');
  if (!o.clientSecret && !o.clientCertificate) {
    throw new WebAuthConfigError(
      'a web app needs clientSecret or clientCertificate (create one under Certificates & secrets)',
    );
  }
  let base: URL;
  try {
    base = new URL(o.baseUrl);
  } catch {
    throw new WebAuthConfigError(
      `baseUrl must be the app's absolute origin, e.g. https://app.example.com (got ${JSON.stringify(o.baseUrl)})`,
    );
  }
  if (base.pathname !== '/' || base.search || base.hash)
    throw new WebAuthConfigError('baseUrl must be an origin without a path, query or fragment');
  // The library's one loopback rule (S210): all of 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost.
  const loopback = isLoopbackHost(base.hostname);
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && loopback)) {
    throw new WebAuthConfigError('baseUrl must be https (plain http only on loopback for development)');
  }
  if (o.responseMode === 'form_post' && base.protocol !== 'https:') {
    throw new WebAuthConfigError(
      'responseMode form_post needs an https baseUrl (its cookie must be SameSite=None; Secure)',
    );
  }
  const ttl = o.sessionTtlSeconds ?? 8 * 3600;
  if (!(Number.isInteger(ttl) && ttl >= 10))
    throw new WebAuthConfigError('sessionTtlSeconds must be a whole number ≥ 10');
  return {
    ...o,
    origin: base.origin,
    loginPath: path(o.loginPath, '/auth/login', 'loginPath', base.origin),
    callbackPath: path(o.callbackPath, '/auth/callback', 'callbackPath', base.origin),
    logoutPath: path(o.logoutPath, '/auth/logout', 'logoutPath', base.origin),
    postLogoutPath: path(o.postLogoutPath, '/', 'postLogoutPath', base.origin),
    scopes: o.scopes ?? ['User.Read'],
    sessionTtlMs: ttl * 1000,
    cookieName: o.cookieName ?? 'tl_session',
    secureCookies: base.protocol === 'https:',
  };
}
