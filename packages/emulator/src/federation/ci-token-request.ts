import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { ISSUER_NAME_RE } from '../directory/issuer-names.js';
import { CI_TOKEN_LIFETIME, type CiTokenRequest } from './local-issuer.js';

const FIELDS = new Set(['issuer', 'subject', 'audience', 'lifetime']);

/**
 * S137: a request for a CI token, from the admin API's JSON body or the programmatic handle, checked: `issuer` a
 * name of one of the emulator's CI issuers (`[a-z0-9-]`, up to 63), `subject` and `audience` 1–600 characters,
 * `lifetime` whole seconds within CI_TOKEN_LIFETIME. Anything else is a DirectoryConfigError naming it.
 */
export function parseCiTokenRequest(value: unknown): CiTokenRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DirectoryConfigError('the request body must be a JSON object');
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw new DirectoryConfigError(`unknown field '${unknown.slice(0, 40)}'`);
  if (typeof o.issuer !== 'string' || !ISSUER_NAME_RE.test(o.issuer))
    throw new DirectoryConfigError(
      'issuer must be a name of 1 to 63 lowercase letters, digits or -, e.g. "github-actions"',
    );
  const text = (k: 'subject' | 'audience') => {
    const v = o[k];
    if (v === undefined && k === 'audience') return undefined;
    if (typeof v !== 'string' || v.length < 1 || v.length > 600)
      throw new DirectoryConfigError(`${k} must be a string of 1 to 600 characters`);
    return v;
  };
  const { min, max } = CI_TOKEN_LIFETIME;
  if (
    o.lifetime !== undefined &&
    (typeof o.lifetime !== 'number' || !Number.isInteger(o.lifetime) || o.lifetime < min || o.lifetime > max)
  )
    throw new DirectoryConfigError(`lifetime must be whole seconds from ${min} to ${max}`);
  return {
    issuer: o.issuer,
    subject: text('subject')!,
    audience: text('audience'),
    lifetime: o.lifetime as number | undefined,
  };
}
