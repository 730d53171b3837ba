import { isGuid } from '../authority/authority.js';
import { TokenloopError } from '../errors/errors.js';

/**
 * Issue 16: the rules of the options the library and @tokenloop/web both take, in one place. Each caller checks
 * the value once, when it is built, and passes its own configuration error (`fail`): a value is accepted
 * everywhere or refused everywhere with the same words — never refused here and clamped or kept there.
 */

/** How the library refuses a setting; the web package passes its WebAuthConfigError instead. */
export type ConfigFail = (message: string, remediation: string) => Error;

const libraryConfigError: ConfigFail = (message, remediation) =>
  new TokenloopError('CONFIGURATION', message, { remediation });

/** The leeway for a token's time claims when none is given, and the most it may be (S215). */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;

/**
 * S215: `clockToleranceSeconds` — a number of seconds from 0 to 300 (default 60). Out of range, not a number or
 * NaN: a configuration error, never a value clamped into range. Returns the seconds to use.
 */
export function clockToleranceSeconds(value: unknown, fail: ConfigFail = libraryConfigError): number {
  if (value === undefined) return DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_CLOCK_TOLERANCE_SECONDS))
    throw fail(
      `clockToleranceSeconds must be from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`,
      `Give a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}, or leave it out for ${DEFAULT_CLOCK_TOLERANCE_SECONDS}.`,
    );
  return value;
}

/**
 * S216: `allowedTenants` — a non-empty list of Entra tenant ids (GUIDs, any case). Tokens name their tenant by
 * id (`tid`, and the issuer's tenant segment), never by domain or name, so any other entry could match no token;
 * an empty list would refuse every token. `subject` names who serves the tenants, for the remediation.
 */
export function checkAllowedTenants(
  value: unknown,
  fail: ConfigFail = libraryConfigError,
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
