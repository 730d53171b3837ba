import { TenantMismatchError } from 'tokenloop/errors';
import type { Settings } from '../config/resolve.js';
import { loginCommand } from '../commands/login/login-command.js';

/**
 * S206: the authority named one tenant and the account belongs to another (the library's TenantMismatchError).
 * The fix signs the account in at its own tenant, where the command looked otherwise (`--tenant`); the
 * `organizations` authority signs every account in at its own tenant.
 */
export function tenantFix(err: unknown, settings: Settings): string | undefined {
  if (!(err instanceof TenantMismatchError)) return undefined;
  const login = loginCommand({ ...settings, tenant: err.tokenTenant });
  return `the account belongs to tenant ${err.tokenTenant}: sign it in there with \`${login}\` (or use --tenant organizations, which signs each account in at its own tenant)`;
}
