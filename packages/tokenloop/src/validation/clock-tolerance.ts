import { TokenloopError } from '../errors/errors.js';

/**
 * S215 (issue 16): the one rule for `clockToleranceSeconds`, which the token client, ID-token validation, the token
 * flows and @tokenloop/web's bearer verifier all take. Each checks the value once, when it is built (the verifier
 * passes its own configuration error as `fail`): a value is accepted everywhere or refused everywhere with the same
 * words — never refused here and clamped there.
 */

/** The leeway for a token's time claims when none is given, and the most it may be. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;

/**
 * A number of seconds from 0 to 300 (default 60). Out of range, not a number or NaN: a configuration error, never
 * a value clamped into range. Returns the seconds to use.
 */
export function clockToleranceSeconds(
  value: unknown,
  fail: (message: string, remediation: string) => Error = (message, remediation) =>
    new TokenloopError('CONFIGURATION', message, { remediation }),
): number {
  if (value === undefined) return DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_CLOCK_TOLERANCE_SECONDS))
    throw fail(
      `clockToleranceSeconds must be from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`,
      `Give a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}, or leave it out for ${DEFAULT_CLOCK_TOLERANCE_SECONDS}.`,
    );
  return value;
}
