import { TokenloopError } from '../errors/errors.js';
import { isGuid } from './authority.js';

/**
 * S216 (issue 16): the one rule for `allowedTenants`, which the token client, createWebAuth and @tokenloop/web's
 * bearer verifier all take: a non-empty list of Entra tenant ids (GUIDs, any case). Tokens name their tenant by id
 * (`tid`, and the issuer's tenant segment), never by domain or name, so any other entry could match no token; an
 * empty list would refuse every token. Each caller passes its own configuration error as `fail`; `subject` names
 * who serves the tenants, for the remediation.
 */
export function checkAllowedTenants(
  value: unknown,
  fail: (message: string, remediation: string) => Error = (message, remediation) =>
    new TokenloopError('CONFIGURATION', message, { remediation }),
  subject = 'app',
): void {
  if (value === undefined) return;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((t: unknown) => typeof t === 'string' && isGuid(t))
  )
    throw fail(
      'allowedTenants must list tenant ids (GUIDs): tokens name their tenant by id (tid), never by domain',
      `List the directory (tenant) ids of the tenants your ${subject} serves, as shown in their Entra overview.`,
    );
}
