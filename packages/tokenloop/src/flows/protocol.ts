import * as oauth from 'oauth4webapi';
import { requestClaims } from '../model/claims-request.js';
import type { GrantContext } from '../model/grant-context.js';
import { TokenloopError } from '../errors/errors.js';
import { clockToleranceSeconds } from '../validation/clock-tolerance.js';

/** The oauth4webapi client description for this app. */
export function asClient(ctx: GrantContext): oauth.Client {
  // S215: the one rule (checked when the client was made), never a clamp.
  const tolerance = clockToleranceSeconds(ctx.options.clockToleranceSeconds);
  return { client_id: ctx.options.clientId, [oauth.clockTolerance]: tolerance };
}

/**
 * S144: a token request's parameters with `claims` as the client sends it — the client's capabilities merged in
 * (requestClaims). Every token request's parameters pass here: through requestOptions (the grants whose
 * oauth4webapi function reads `additionalParameters`) or directly (client credentials and on-behalf-of, whose
 * functions take the parameters themselves).
 */
export function tokenParameters(
  ctx: GrantContext,
  parameters: Record<string, string> = {},
): Record<string, string> {
  const claims = requestClaims(ctx.options, parameters.claims);
  return { ...parameters, ...(claims ? { claims } : {}) };
}

/**
 * Per-request options: tokenloop's fetch (proxy, timeout, body cap), loopback http when allowed, cancellation,
 * and the request's extra parameters (tokenParameters: with the client's capabilities).
 */
export function requestOptions(
  ctx: GrantContext,
  signal?: AbortSignal,
  parameters?: Record<string, string>,
): oauth.TokenEndpointRequestOptions & { [oauth.customFetch]: typeof ctx.fetch } {
  const all = tokenParameters(ctx, parameters);
  const additionalParameters = Object.keys(all).length ? all : undefined;
  return {
    [oauth.customFetch]: ctx.fetch,
    // Plain http was already refused at configuration time unless loopback or the development switch (S16).
    [oauth.allowInsecureRequests]: true,
    ...(signal ? { signal } : {}),
    ...(additionalParameters ? { additionalParameters } : {}),
  };
}

/** The server's endpoint, or a clear configuration error when the provider has none. */
export function endpoint(
  ctx: GrantContext,
  name:
    | 'authorization_endpoint'
    | 'token_endpoint'
    | 'device_authorization_endpoint'
    | 'end_session_endpoint'
    | 'userinfo_endpoint',
  flow: string,
): string {
  const value = ctx.server.as[name];
  if (typeof value !== 'string') {
    throw new TokenloopError(
      'CONFIGURATION',
      `the provider does not support ${flow} (its metadata has no ${name})`,
    );
  }
  return value;
}

/**
 * Scopes sent when a user signs in: the requested ones plus what makes sign-in work. Entra: `openid profile
 * offline_access`, as Microsoft's own clients send. OpenID providers: `openid`, and `offline_access` only when
 * the provider advertises it in `scopes_supported` — many publish no list and refuse scopes they do not know
 * (RFC 6749 §4.1.2.1); a caller who wants it there asks for it. Plain OAuth 2.0: exactly what was asked.
 */
export function signInScopes(ctx: GrantContext, scopes: readonly string[]): string[] {
  const out = new Set(scopes.map((s) => s.trim()).filter(Boolean));
  if (ctx.authority.kind === 'entra') {
    for (const s of ['openid', 'profile', 'offline_access']) out.add(s);
  } else if (ctx.authority.kind === 'oidc') {
    out.add('openid');
    const supported = ctx.server.as.scopes_supported;
    if (Array.isArray(supported) && supported.includes('offline_access')) out.add('offline_access');
  }
  return [...out];
}

/** Scopes sent when redeeming a refresh token (Entra needs `scope`; elsewhere it narrows the grant). */
export function refreshScopes(ctx: GrantContext, scopes: readonly string[], hadIdToken: boolean): string[] {
  const out = new Set(scopes.map((s) => s.trim()).filter(Boolean));
  if (ctx.authority.kind === 'entra') for (const s of ['openid', 'profile', 'offline_access']) out.add(s);
  else if (hadIdToken) out.add('openid');
  return [...out];
}
