import { createHash, randomBytes } from 'node:crypto';
import type { Params } from '../http/request.js';

/** Pairwise `sub`: stable per (user, app), different across apps, as Entra's is. */
export function pairwiseSub(userId: string, appId: string): string {
  return createHash('sha256').update(`pairwise:${userId}:${appId}`).digest('base64url');
}

// CSPRNG bytes drawn 4 KB at a time (as randomUUID caches its entropy): one call per ~50 tokens instead
// of three per token, on the token endpoint's hot path. Each byte is handed out once.
let pool = Buffer.alloc(0);
let used = 0;

/** Opaque claim values Entra includes (`aio`, `rh`, `uti`); meaningless but shaped similarly. */
export function opaque(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(Math.max(4096, bytes));
    used = 0;
  }
  const value = pool.toString('base64url', used, used + bytes);
  used += bytes;
  return value;
}

/** `at_hash` / `c_hash`: left half of SHA-256 of the ASCII value, base64url (OIDC Core 3.3.2.11). */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** Whether a request (authorize or token) asks for `client_info` in the response (`client_info=1`, as MSAL sends). */
export function asksClientInfo(p: Params): boolean {
  return p.get('client_info') === '1';
}

/** `client_info`: base64url (no padding) of `{"uid": oid, "utid": tid}`; MSAL's home account id is uid.utid. */
export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
