/**
 * A post-login return target that can only lead back into this app (S10): a path starting with a single "/",
 * no backslashes, no control characters, no scheme; resolved against the app's origin and compared. Anything
 * else becomes "/".
 */
export function safeReturnTo(value: string | null | undefined, origin: string): string {
  if (!value || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
