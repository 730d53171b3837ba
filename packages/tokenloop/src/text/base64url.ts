/** RFC 4648 §5 base64url without padding: letters, digits, `-` and `_` only (the empty string included). */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url: true only for text made of the base64url alphabet, no padding, no whitespace, nothing
 * else. Node's decoder skips what it does not know, so a value is checked with this before it is decoded: the
 * library's encrypted-cache envelopes, @tokenloop/web's sealed cookies and the CLI's `decode` use it.
 */
export function isBase64url(value: unknown): value is string {
  return typeof value === 'string' && BASE64URL.test(value);
}
