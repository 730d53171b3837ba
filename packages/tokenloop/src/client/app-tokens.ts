import { appOnlyAccount, appOnlyAccountId } from '../cache/app-accounts.js';
import type { SilentRequest, SilentResult } from '../cache/silent.js';
import type { TokenSet } from '../model/token-set.js';
import type { AuthResult } from './auth-result.js';
import { checkClaims } from '../model/claims-request.js';
import { acquireResult, clientAcquirer } from './client-acquirer.js';
import { type ClientContext, grantContext, grants, keyOf } from './client-context.js';
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
  return clientAcquirer(c, {
    mode: 'app',
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
    return acquireResult(c, acquire, keyOf(c, id), { ...opts, claims }, true);
  };
}
