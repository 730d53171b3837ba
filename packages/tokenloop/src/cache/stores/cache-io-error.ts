import { TokenloopError } from '../../errors/errors.js';
import { errnoCode } from '../../private-files/errno-code.js';

export { errnoCode };

const PERMISSION = new Set(['EACCES', 'EPERM']);
const READ_ONLY = new Set(['EROFS']);
const FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Turn a file-system failure on the token cache into a `TokenloopError('CACHE')` with one readable line and a
 * remediation. The message names the file and the action, never its content; the original error rides in
 * `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await readFile(path);
 * } catch (err) {
 *   throw cacheIoError(err, path, 'read');
 * }
 * ```
 */
export function cacheIoError(err: unknown, path: string, action: string): TokenloopError {
  if (err instanceof TokenloopError) return err;
  const code = errnoCode(err);
  if (code && PERMISSION.has(code)) {
    return new TokenloopError('CACHE', `permission denied: cannot ${action} the token cache at ${path}`, {
      cause: err,
      remediation:
        'Make sure the cache directory and its files belong to the user running this program (directory 0700, files 0600), or choose another cache path.',
    });
  }
  if (code && READ_ONLY.has(code)) {
    return new TokenloopError('CACHE', `cannot ${action} the token cache at ${path}: read-only file system`, {
      cause: err,
      remediation: 'Choose a cache path on a writable file system.',
    });
  }
  if (code && FULL.has(code)) {
    return new TokenloopError(
      'CACHE',
      `cannot ${action} the token cache at ${path}: no space left on device`,
      {
        cause: err,
        remediation: 'Free some disk space (or quota) and try again.',
      },
    );
  }
  return new TokenloopError(
    'CACHE',
    `cannot ${action} the token cache at ${path}${code ? ` (${code})` : ''}`,
    {
      cause: err,
    },
  );
}
