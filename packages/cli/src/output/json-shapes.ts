// The JSON the CLI prints, in one place: camelCase names, times as ISO 8601 UTC in fields
// ending in `At`, one account shape everywhere. `token --format json` adds the fields of `az account
// get-access-token` under az's own names, so that scripts written for az can switch. Documented in docs/cli.md.
import type { AccountInfo, AuthResult } from 'tokenloop';

/** An account, as every command prints it. */
export interface AccountJson {
  username: string | null;
  name: string | null;
  homeAccountId: string;
  localAccountId: string;
  tenantId: string | null;
  environment: string;
}

export function accountJson(a: AccountInfo): AccountJson {
  return {
    username: a.username ?? null,
    name: a.name ?? null,
    homeAccountId: a.homeAccountId,
    localAccountId: a.localAccountId,
    tenantId: a.tenantId ?? null,
    environment: a.environment,
  };
}

export function isoTime(at: Date | number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

/** az's `expiresOn`: local time as `YYYY-MM-DD HH:MM:SS.ffffff` (what AzureCliCredential and scripts parse). */
function azLocalTime(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}.${p(at.getMilliseconds() * 1000, 6)}`;
}

/** `token --format json`. */
export function tokenJson(result: AuthResult, now = Date.now()) {
  const expires = result.expiresOn;
  return {
    // az account get-access-token's fields, with az's names and formats.
    accessToken: result.accessToken,
    tokenType: result.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : result.tokenType,
    expiresOn: expires ? azLocalTime(expires) : null,
    expires_on: expires ? Math.floor(expires.getTime() / 1000) : null,
    tenant: result.account?.tenantId ?? null,
    // tokenloop's.
    expiresAt: isoTime(expires),
    expiresIn: expires ? Math.max(0, Math.floor((expires.getTime() - now) / 1000)) : null,
    scopes: result.scopes,
    account: result.account ? accountJson(result.account) : null,
    fromCache: result.fromCache,
  };
}
