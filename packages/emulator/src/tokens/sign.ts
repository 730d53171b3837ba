import { sign } from 'node:crypto';
import type { SigningKey } from '../keys/signing-keys.js';

function segment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Signs claims with the active key: RS256, `typ` JWT, `kid` (and `x5t` for access tokens, as Entra does).
 * Uses node:crypto's callback form, which runs in libuv's thread pool so signing uses every core; the
 * emulator verifies its own tokens with jose.
 */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, withX5t: boolean): Promise<string> {
  const input = `${segment({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...(withX5t ? { x5t: key.kid } : {}) })}.${segment(claims)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), key.privateKey, (err, signature) => {
      if (err) reject(err);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}
