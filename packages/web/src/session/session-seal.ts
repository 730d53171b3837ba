import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { isBase64url } from 'tokenloop';
import { WebAuthConfigError } from '../options.js';
import { isRecord } from './session-data.js';

/**
 * How a session store outside this process keeps sessions (S67): under a keyed hash of the session id (the
 * cookie value, a bearer secret, never reaches the store) and as AES-256-GCM ciphertext bound to that hash, so
 * that a value can be neither read, nor forged, nor moved to another id by someone without the key. The expiry
 * is sealed inside, so removing a TTL in the store does not make a session last longer.
 */
export interface SessionSealer {
  /** The name a session id is stored under: HMAC-SHA-256 with a key derived for this purpose, base64url. */
  nameOf(id: string): string;
  /** Seal a record for the entry `name` until `expiresAt` (epoch ms). */
  seal(name: string, value: Record<string, unknown>, expiresAt: number): string;
  /** The record sealed for `name`, or undefined when it is not ours, altered, moved, expired or malformed. */
  open(name: string, text: string | null | undefined): Record<string, unknown> | undefined;
}

const FORMAT = 'tlws1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'tokenloop web session store';

/** The key a sealer is made from: 32 or more random bytes, or a random secret of 32 or more characters. */
export type SessionSecret = Uint8Array | string;

/**
 * Derive the naming and the encryption key from `secret` with HKDF-SHA-256 (separate labels, so the same bytes
 * can also serve as the token cache's `redisStore({ key })`).
 *
 * @example
 * ```ts
 * const sealer = sessionSealer(randomBytes(32));
 * const name = sealer.nameOf('s:' + sessionId);
 * const text = sealer.seal(name, { homeAccountId }, Date.now() + 3_600_000);
 * sealer.open(name, text); // { homeAccountId }
 * ```
 */
export function sessionSealer(secret: SessionSecret, what = 'redisSessionStore'): SessionSealer {
  const ikm = secretBytes(secret, what);
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', ikm, SALT, label, 32));
  const nameKey = derive('session id name v1');
  const valueKey = derive('session value encryption v1');
  const aad = (name: string) => Buffer.from(`${FORMAT}\u0000${name}`, 'utf8');
  return {
    nameOf(id) {
      return createHmac('sha256', nameKey).update(id, 'utf8').digest('base64url');
    },
    seal(name, value, expiresAt) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', valueKey, iv);
      cipher.setAAD(aad(name));
      const plaintext = Buffer.from(JSON.stringify({ exp: expiresAt, value }), 'utf8');
      const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const b64 = (b: Buffer) => b.toString('base64url');
      return `${FORMAT}.${b64(iv)}.${b64(data)}.${b64(cipher.getAuthTag())}`;
    },
    open(name, text) {
      if (typeof text !== 'string') return undefined;
      const parts = text.split('.');
      if (parts.length !== 4 || parts[0] !== FORMAT || !parts.every(isBase64url)) return undefined;
      const [iv, data, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
        Buffer,
        Buffer,
        Buffer,
      ];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
      let plaintext: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', valueKey, iv);
        decipher.setAAD(aad(name));
        decipher.setAuthTag(tag);
        plaintext = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        return undefined; // another key, another entry's value, or altered
      }
      const sealed = parseJson(plaintext);
      if (!isRecord(sealed) || typeof sealed.exp !== 'number' || !isRecord(sealed.value)) return undefined;
      return sealed.exp > Date.now() ? sealed.value : undefined;
    },
  };
}

function secretBytes(secret: SessionSecret, what: string): Buffer {
  if (typeof secret === 'string' && secret.length >= 32) return Buffer.from(secret, 'utf8');
  if (secret instanceof Uint8Array && secret.length >= 32) return Buffer.from(secret);
  throw new WebAuthConfigError(
    `${what} needs key: 32 random bytes (the token cache's redisStore key will do) or a random secret of at ` +
      'least 32 characters, e.g. from `openssl rand -base64 32`; keep it out of Redis',
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
