import { createHash } from 'node:crypto';
import { safeEqual } from '../http/safe-equal.js';

/**
 * RFC 7636 §4.1-4.2: the syntax of a PKCE code_verifier, and of a code_challenge (an S256 challenge, 43
 * base64url characters, is within it): 43 to 128 unreserved characters. The emulator's one PKCE syntax rule,
 * checked at authorize (the challenge) and at the token endpoint (the verifier).
 */
export function isPkceValue(value: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(value);
}

/** The verifier of a token request answers the challenge of the authorization request, by its method. */
export function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (!isPkceValue(verifier)) return false;
  const computed =
    method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return safeEqual(computed, challenge);
}
