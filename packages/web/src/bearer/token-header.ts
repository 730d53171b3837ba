import { decodeProtectedHeader } from 'jose';
import { InvalidTokenError } from '../web-errors.js';

/**
 * A bearer token's protected header, read before any key is asked for: the token's size and compact JWS shape,
 * and a memo of the headers of tokens that passed, so that a token of a known header is not decoded a second
 * time before jwtVerify (which reads it again itself, as it does for every caller).
 */

export type ProtectedHeader = ReturnType<typeof decodeProtectedHeader>;

/** Verified headers, read, by their encoded form: at most MAX_KNOWN_HEADERS; a header read anew is checked. */
export type KnownHeaders = Map<string, ProtectedHeader>;

const MAX_TOKEN_LENGTH = 16 * 1024;
/** How many protected headers of verified tokens are kept, read, before the memo starts over. */
const MAX_KNOWN_HEADERS = 16;

/** The token's encoded header, once it is a compact JWS of a sane size (never echoing the token). */
export function encodedHeaderOf(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('the token is too large');
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0)
    throw new InvalidTokenError('the token is not a signed JWT');
  return token.slice(0, dot1);
}

/** The token's protected header: a verified token's, known by its encoded form, or decoded anew. */
export function protectedHeader(known: KnownHeaders, encoded: string, token: string): ProtectedHeader {
  const header = known.get(encoded);
  if (header !== undefined) return header;
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw new InvalidTokenError('the token is malformed');
  }
}

/** Keeps a verified token's header, read (frozen: every later token of that header shares it). */
export function rememberHeader(known: KnownHeaders, encoded: string, header: ProtectedHeader): void {
  if (known.has(encoded)) return;
  if (known.size >= MAX_KNOWN_HEADERS) known.clear();
  known.set(encoded, Object.freeze(header));
}
