import { SignJWT } from 'jose';
import type { SigningKey } from '../keys/signing-keys.js';

/** Signs claims with the active key: RS256, `typ` JWT, `kid` (and `x5t` for access tokens, as Entra does). */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, withX5t: boolean): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...(withX5t ? { x5t: key.kid } : {}) })
    .sign(key.privateKey);
}
