import { TokenloopError } from '../errors/errors.js';

/**
 * The scopes as the Azure SDK passes them — one string or a list, usually a resource's `.default`
 * (`https://graph.microsoft.com/.default`, `https://management.azure.com/.default`) — as the list tokenloop
 * takes. Anything but non-empty strings is the caller's mistake (INVALID_ARGUMENT); one resource per call is
 * the library's rule, checked there.
 */
export function scopeList(scopes: unknown): string[] {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s): s is string => typeof s === 'string' && s.trim() !== '')
  )
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'getToken needs scopes: a scope or a list of scopes, e.g. "https://graph.microsoft.com/.default"',
    );
  return list.map((s) => s.trim());
}
