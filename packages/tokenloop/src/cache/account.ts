import type { ResolvedAuthority } from '../authority/authority.js';
import { TokenloopError } from '../errors/errors.js';
import type { TokenSet } from '../model/token-set.js';
import type { CachedAccount } from '../model/account-record.js';

/** The public view of a signed-in account. */
export interface AccountInfo {
  /** Stable key: Entra `oid.tid`, otherwise `sub` at the issuer (S38). */
  homeAccountId: string;
  environment: string;
  tenantId?: string | undefined;
  /** `oid` on Entra, `sub` elsewhere. */
  localAccountId: string;
  /** For display only (`preferred_username` or `email`); never a key. */
  username?: string | undefined;
  name?: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Build the cached account from a token response's validated ID-token claims (S38: keyed by (`tid`,`oid`)
 * on Entra and (`iss`,`sub`) elsewhere; never email or UPN). Without an ID token (plain OAuth 2.0) the
 * account is the single `default` account of that server.
 */
export function accountFromTokenSet(tokens: TokenSet, authority: ResolvedAuthority): CachedAccount {
  const claims = tokens.idTokenClaims;
  if (!claims) {
    if (authority.kind === 'entra') {
      throw new TokenloopError(
        'INVALID_RESPONSE',
        'the response has no ID token; request the "openid" scope to sign in a user',
      );
    }
    return {
      homeAccountId: 'default',
      environment: authority.environment,
      issuer: authority.url,
      localAccountId: 'default',
    };
  }
  const iss = str(claims.iss);
  const sub = str(claims.sub);
  if (!iss || !sub) throw new TokenloopError('TOKEN_VALIDATION', 'the ID token lacks iss or sub');
  const base = {
    environment: authority.environment,
    issuer: iss,
    username: str(claims.preferred_username) ?? str(claims.email) ?? str(claims.upn),
    name: str(claims.name),
    idTokenSubject: sub,
    idToken: tokens.idToken,
    idTokenExpiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
  if (authority.kind === 'entra') {
    const oid = str(claims.oid);
    const tid = str(claims.tid);
    if (!oid || !tid)
      throw new TokenloopError(
        'TOKEN_VALIDATION',
        'the Entra ID token lacks oid or tid (request the "profile" scope)',
      );
    return { ...base, homeAccountId: `${oid}.${tid}`, tenantId: tid, localAccountId: oid };
  }
  return { ...base, homeAccountId: `${sub}@${iss}`, localAccountId: sub };
}

/** The public view of a cached account. */
export function toAccountInfo(account: CachedAccount): AccountInfo {
  return {
    homeAccountId: account.homeAccountId,
    environment: account.environment,
    tenantId: account.tenantId,
    localAccountId: account.localAccountId,
    username: account.username,
    name: account.name,
  };
}
