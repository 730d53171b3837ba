import {
  type SilentContext,
  type SilentRequest,
  type SilentResult,
  createSilentAcquirer,
} from '../cache/silent.js';
import type { AuthResult } from './auth-result.js';
import { type ClientContext, normalizeScopes, resultOf, scopeRequest } from './client-context.js';

/** How one kind of record is renewed: user records by their refresh token, app records by the grant again. */
export type Renewal = Pick<SilentContext, 'mode' | 'refresh' | 'accountAfterRefresh'>;

/** A silent acquirer over this client's store, records and scope rule; `renewal` says how tokens are renewed. */
export function clientAcquirer(
  c: ClientContext,
  renewal: Renewal,
): (req: SilentRequest) => Promise<SilentResult> {
  return createSilentAcquirer({
    store: c.store,
    clientId: c.clientId,
    authority: c.authority.url,
    normalizeScopes: (scopes) => normalizeScopes(c, scopes),
    refreshAheadMs: c.refreshAheadMs,
    ...renewal,
  });
}

/** What a token call asks of its acquirer (`claims` already checked by `checkClaims`, S105). */
export interface TokenCall {
  scopes: readonly string[];
  forceRefresh?: boolean | undefined;
  claims?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** One token call: the request for the record `key` through `acquire`, its answer as the caller's result (S109). */
export async function acquireResult(
  c: ClientContext,
  acquire: (req: SilentRequest) => Promise<SilentResult>,
  key: string,
  call: TokenCall,
  appOnly: boolean,
): Promise<AuthResult> {
  const { record, token, fromCache, idTokenClaims } = await acquire({
    key,
    ...scopeRequest(c, call.scopes),
    forceRefresh: call.forceRefresh,
    claims: call.claims,
    signal: call.signal,
  });
  return resultOf(c, record, token, fromCache, appOnly, idTokenClaims);
}
