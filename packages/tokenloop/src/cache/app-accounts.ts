import type { ResolvedAuthority } from '../authority/authority.js';
import type { CachedAccount } from '../model/account-record.js';

/**
 * The one rule of the records that hold no signed-in user: app-only tokens (client credentials) live under the
 * account id `app:<tenant>` (`app:default` off Entra), on-behalf-of tokens under `obo:<hash of the incoming
 * token>`. Everything that lists users (account lookup, the web sweep of orphaned tokens) asks `isUserAccountId`.
 */
const NOT_A_USER = /^(app|obo):/;

/** True for a signed-in user's account id; false for an app-only or on-behalf-of record's. */
export function isUserAccountId(homeAccountId: string): boolean {
  return !NOT_A_USER.test(homeAccountId);
}

/** The account id of this authority's app-only tokens. */
export function appOnlyAccountId(authority: ResolvedAuthority): string {
  return `app:${authority.kind === 'entra' ? authority.tenant : 'default'}`;
}

/** The account id of the tokens obtained on behalf of one incoming token (given as its hash, never itself). */
export function onBehalfOfAccountId(assertionHash: string): string {
  return `obo:${assertionHash}`;
}

/** The account an app-only or on-behalf-of record holds: the id, at this authority. */
export function appOnlyAccount(id: string, authority: ResolvedAuthority): CachedAccount {
  return {
    homeAccountId: id,
    environment: authority.environment,
    issuer: authority.url,
    localAccountId: id,
  };
}
