import { OAuthError, TenantMismatchError } from 'tokenloop/errors';
import type { Settings } from '../config/resolve.js';
import { loginCommand } from './login-command.js';

/**
 * S206: the authority named one tenant and the account belongs to another. A token of the other tenant (the
 * library's TenantMismatchError) names it: the fix signs the account in there (`--tenant`). Entra's refusal
 * (AADSTS50020, the library's reason `not-tenant-member`) does not name it: the fix signs in at `organizations`,
 * which takes every account to its own tenant.
 * Either fix looks where the command looked otherwise; signing in at the named tenant again could not help.
 */
export function tenantFix(err: unknown, settings: Settings): string | undefined {
  if (err instanceof TenantMismatchError) {
    const login = loginCommand({ ...settings, tenant: err.tokenTenant });
    return `the account belongs to tenant ${err.tokenTenant}: sign it in there with \`${login}\` (or use --tenant organizations, which signs each account in at its own tenant)`;
  }
  // At organizations or common already (a single-tenant app of another tenant), signing in there cannot help.
  const tenant = settings.authority
    ?.split('/')
    .filter((s) => s !== '' && s.toLowerCase() !== 'v2.0')
    .at(-1)
    ?.toLowerCase();
  if (
    err instanceof OAuthError &&
    err.reason === 'not-tenant-member' &&
    tenant !== undefined &&
    tenant !== 'organizations' &&
    tenant !== 'common'
  ) {
    const login = loginCommand({ ...settings, tenant: 'organizations' });
    return `the account is not a member of this tenant: sign it in at its own tenant with \`${login}\`, or sign in with an account of this tenant`;
  }
  return undefined;
}
