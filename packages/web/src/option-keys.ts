import type { ClientCertificate, HttpOptions } from 'tokenloop';

/**
 * S96: every options object the web package accepts refuses keys it does not know, when it is given (at
 * start-up), so that a misspelt or unsupported option (`allowedTenant`, `scope` for `scopes`, an option of a
 * newer version) stops the app instead of being silently ignored. One mechanism for every options object.
 *
 * The known keys of an options type are listed as `OptionKeys<T>`: TypeScript then requires every key of `T`
 * and refuses any other, so a list cannot fall behind its interface.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** Throws `fail(message)` when `value` is an object with a key `keys` does not list. */
export function checkOptionKeys<T>(
  value: unknown,
  keys: OptionKeys<T>,
  where: string,
  fail: (message: string) => Error,
): void {
  if (typeof value !== 'object' || value === null) return; // the caller's shape checks say what is wrong
  const unknown = Object.keys(value).filter((k) => !Object.hasOwn(keys, k));
  if (unknown.length === 0) return;
  const names = unknown.map((k) => JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}…` : k)).join(', ');
  throw fail(
    `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${names} (known: ${Object.keys(keys).join(', ')})`,
  );
}

/** The library's `http` options, as the web package passes them on. */
export const HTTP_OPTION_KEYS: OptionKeys<HttpOptions> = {
  fetch: true,
  timeoutMs: true,
  maxResponseBytes: true,
  dangerouslyAllowInsecureHttp: true,
  ca: true,
  onRetry: true,
};

/** The library's certificate credential. */
export const CLIENT_CERTIFICATE_KEYS: OptionKeys<ClientCertificate> = {
  privateKey: true,
  certificate: true,
  thumbprint: true,
};
