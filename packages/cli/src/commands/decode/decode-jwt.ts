import { isBase64url } from 'tokenloop';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { relativeTime } from '../../output/relative-time.js';

/**
 * Offline JWT inspection for `tokenloop decode`: splits and base64url-decodes a compact JWS (never verifies,
 * never sends it anywhere), renders times in human form and lists warnings a person should know about.
 */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Human-readable times for the registered time claims. */
  times: Record<string, string>;
  warnings: string[];
}

/** What is not a JWT that can be read: a usage error (exit 2), its message the one-line reason. */
export class DecodeError extends CliError {
  override name = 'DecodeError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

function b64urlJson(part: string, what: string): Record<string, unknown> {
  if (!isBase64url(part)) throw new DecodeError(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new DecodeError(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DecodeError(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** What a date cannot hold (beyond ±8.64e15 ms, ECMAScript's range) is said so; the claim keeps its number. */
export const OUTSIDE_DATES = 'outside the range of dates';

/** S92: a NumericDate as a date and how far away it is, for any finite number. */
function humanTime(seconds: number, nowSec: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return OUTSIDE_DATES;
  return `${date.toISOString()} (${relativeTime((seconds - nowSec) * 1000)})`;
}

/** Decode a compact JWT. Throws `DecodeError` with a one-line reason for anything else (JWE, garbage). */
export function decodeJwt(token: string, now = Date.now()): DecodedJwt {
  // What `token --format header` prints decodes too.
  const t = token.trim().replace(/^(?:Authorization:\s*)?Bearer\s+/i, '');
  const parts = t.split('.');
  if (parts.length === 5)
    throw new DecodeError('this is an encrypted JWT (JWE); it cannot be read without the key');
  if (parts.length !== 3)
    throw new DecodeError(
      'this is not a JWT (expected three dot-separated parts); opaque tokens cannot be decoded',
    );
  const header = b64urlJson(parts[0]!, 'header');
  const claims = b64urlJson(parts[1]!, 'payload');
  const times: Record<string, string> = {};
  const warnings: string[] = [];
  const nowSec = now / 1000;
  for (const name of ['iat', 'nbf', 'exp', 'auth_time', 'xms_tcdt']) {
    const v = claims[name];
    if (typeof v === 'number' && Number.isFinite(v)) times[name] = humanTime(v, nowSec);
  }
  if (typeof claims.exp === 'number' && claims.exp < nowSec) warnings.push('expired');
  if (typeof claims.nbf === 'number' && claims.nbf > nowSec + 60)
    warnings.push('not valid yet (nbf is in the future)');
  if (claims.exp === undefined) warnings.push('no expiry (exp)');
  if (header.alg === 'none') warnings.push('unsigned (alg "none"): never trust it');
  if (typeof header.alg === 'string' && header.alg.startsWith('HS'))
    warnings.push(`symmetric signature (${header.alg}): only the issuer and audience can check it`);
  if (header.nonce !== undefined)
    warnings.push(
      'the header has a "nonce": a Microsoft Graph token, opaque to clients and not verifiable as a plain JWT',
    );
  if (parts[2] === '') warnings.push('no signature');
  return { header, claims, times, warnings };
}
