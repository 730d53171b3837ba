import { appOnlyAccount, appOnlyAccountId } from '../cache/app-accounts.js';
import { type SilentRequest, type SilentResult, createSilentAcquirer } from '../cache/silent.js';
import type { TokenSet } from '../model/token-set.js';
import type { AuthResult } from './auth-result.js';
import { checkClaims } from '../model/claims-request.js';
import {
  type ClientContext,
  grantContext,
  grants,
  keyOf,
  normalizeScopes,
  resultOf,
  scopeRequest,
} from './client-context.js';
import type { GrantContext } from '../model/grant-context.js';

/** A grant run again to renew an app-mode record (client credentials, on-behalf-of). */
export type AppGrant = (
  ctx: GrantContext,
  scopes: readonly string[],
  signal?: AbortSignal,
  claims?: string,
) => Promise<TokenSet>;

/** Silent acquisition for a record with no user (app-only, on-behalf-of): created on first use, renewed by the grant. */
export function appModeAcquirer(
  c: ClientContext,
  id: string,
  grant: AppGrant,
): (req: SilentRequest) => Promise<SilentResult> {
  return createSilentAcquirer({
    store: c.store,
    clientId: c.clientId,
    authority: c.authority.url,
    mode: 'app',
    normalizeScopes: (scopes) => normalizeScopes(c, scopes),
    refreshAheadMs: c.refreshAheadMs,
    refresh: async (_record, scopes, signal, claims) =>
      grant(await grantContext(c, signal), scopes, signal, claims),
    accountAfterRefresh: () => appOnlyAccount(id, c.authority),
  });
}

export interface AppTokenOptions {
  scopes: string[];
  forceRefresh?: boolean;
  /** A resource's claims challenge, as for `acquireTokenSilent` (S105). */
  claims?: string;
  signal?: AbortSignal;
}

/** App-only tokens (client credentials) of one client, cached per resource under `app:<tenant>`. */
export function appTokenAcquirer(c: ClientContext): (opts: AppTokenOptions) => Promise<AuthResult> {
  const id = appOnlyAccountId(c.authority);
  const acquire = appModeAcquirer(c, id, async (ctx, scopes, signal, claims) =>
    (await grants()).appToken(ctx, scopes, signal, claims),
  );
  return async (opts) => {
    const claims = checkClaims(opts?.claims); // S105
    const { record, token, fromCache } = await acquire({
      key: keyOf(c, id),
      ...scopeRequest(c, opts.scopes),
      forceRefresh: opts.forceRefresh,
      claims,
      signal: opts.signal,
    });
    return resultOf(c, record, token, fromCache, true);
  };
}
