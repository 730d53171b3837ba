import { timingSafeEqual } from 'node:crypto';

/** Compares a presented secret (password, client secret, PKCE value) with the expected one in constant time. */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
