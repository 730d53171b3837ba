import type { JWK } from 'jose';
import { TokenloopError } from '../errors/errors.js';

const CURVE_OF: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** Does this JWK fit the algorithm? kty / crv / use / alg / key_ops filters (S43). */
export function fits(jwk: JWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg.startsWith('ES')) return jwk.kty === 'EC' && jwk.crv === CURVE_OF[alg];
  if (alg === 'EdDSA' || alg === 'Ed25519') return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  return false;
}

/** Keep the usable entries of a JWKS; garbage and unknown key types are dropped, not fatal (S42). */
export function usableKeys(body: unknown): JWK[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TokenloopError('INVALID_RESPONSE', 'the JWKS has no "keys" array');
  return keys.filter(
    (k): k is JWK =>
      typeof k === 'object' &&
      k !== null &&
      !Array.isArray(k) &&
      typeof (k as JWK).kty === 'string' &&
      ['RSA', 'EC', 'OKP'].includes((k as JWK).kty!) &&
      !('d' in k),
  );
}
