import { sign } from 'node:crypto';
import type { SigningKey } from '../keys/signing-keys.js';

function segment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The encoded JOSE header of each key, without and with `x5t`: the same for every token the key signs. */
const headerSegments = new WeakMap<SigningKey, [string, string]>();

/**
 * Signs claims with the active key: RS256, `typ` JWT, `kid` (and `x5t` for access tokens, as Entra does).
 * Uses node:crypto's callback form, which runs in libuv's thread pool so signing uses every core; the
 * emulator verifies its own tokens with jose.
 */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, withX5t: boolean): Promise<string> {
  let headers = headerSegments.get(key);
  if (!headers) {
    headers = [false, true].map((x5t) =>
      segment({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...(x5t ? { x5t: key.kid } : {}) }),
    ) as [string, string];
    headerSegments.set(key, headers);
  }
  const input = `${headers[withX5t ? 1 : 0]}.${segment(claims)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), key.privateKey, (err, signature) => {
      if (err) reject(err);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}
