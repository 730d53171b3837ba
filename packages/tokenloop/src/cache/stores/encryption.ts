import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { TokenloopError } from '../../errors/errors.js';
import { isRecord, parseJson } from './json-guards.js';
import { isBase64url } from '../../text/base64url.js';

/** The `format` tag of every encrypted cache envelope. */
export const ENVELOPE_FORMAT = 'tokenloop-cache';
/** The envelope version this code writes; a higher one was written by a newer tokenloop. */
export const ENVELOPE_VERSION = 1;
const ALG = 'A256GCM';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 256-bit cache key and its public id (a keyed hash, safe to store next to the data). */
export interface CacheKey {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/** Why an envelope could not be opened. */
export type EnvelopeProblem =
  /** Not a tokenloop envelope at all (garbage, truncated, another program's file). */
  | 'unrecognised'
  /** A tokenloop envelope whose fields are malformed. */
  | 'damaged'
  /** Written by a newer tokenloop (higher `v`). */
  | 'future-version'
  /** Encrypted with a key we do not have. */
  | 'unknown-key'
  /** Right key id, but the data does not authenticate: altered or damaged. */
  | 'authentication-failed';

export type OpenedEnvelope =
  { ok: true; plaintext: Buffer; key: CacheKey } | { ok: false; problem: EnvelopeProblem; detail: string };

/**
 * Wrap 32 key bytes as a `CacheKey`. The id is HMAC-SHA-256(key, label) cut to 8 bytes: it tells keys apart
 * without revealing anything useful about them.
 *
 * @example
 * ```ts
 * const key = cacheKey(randomBytes(32));
 * ```
 */
export function cacheKey(bytes: Uint8Array): CacheKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_BYTES) {
    throw new TokenloopError('INVALID_ARGUMENT', `a cache key must be ${KEY_BYTES} bytes`);
  }
  const copy = Uint8Array.from(bytes);
  const id = createHmac('sha256', copy)
    .update('tokenloop cache key id')
    .digest()
    .subarray(0, 8)
    .toString('hex');
  return { id, bytes: copy };
}

/**
 * Encrypt `plaintext` with AES-256-GCM under `key` into a JSON envelope
 * `{format:"tokenloop-cache", v:1, alg:"A256GCM", keyId, iv, tag, data}` (base64url fields, fresh random
 * 96-bit IV). The header fields and `context` (for example the record key it is stored under, so values
 * cannot be swapped between keys) are authenticated as additional data.
 *
 * @example
 * ```ts
 * const text = sealEnvelope(Buffer.from('{"a":1}'), key, 'rec:alice');
 * const opened = openEnvelope(text, [key], 'rec:alice'); // { ok: true, plaintext, key }
 * ```
 */
export function sealEnvelope(plaintext: Uint8Array, key: CacheKey, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(additionalData(ENVELOPE_VERSION, key.id, context));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return JSON.stringify({
    format: ENVELOPE_FORMAT,
    v: ENVELOPE_VERSION,
    alg: ALG,
    keyId: key.id,
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    data: data.toString('base64url'),
  });
}

/** The id of the key an envelope was sealed with, when `text` is an envelope at all. */
export function envelopeKeyId(text: string): string | undefined {
  const value = parseJson(text);
  return isRecord(value) && value.format === ENVELOPE_FORMAT && typeof value.keyId === 'string'
    ? value.keyId
    : undefined;
}

/**
 * Open an envelope made by `sealEnvelope` with whichever of `keys` it names. Never throws for bad input:
 * the result says what is wrong, so the caller can quarantine it (C3). `detail` never contains key or data.
 */
export function openEnvelope(
  text: string | Uint8Array,
  keys: readonly CacheKey[],
  context = '',
): OpenedEnvelope {
  const value = parseJson(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  if (!isRecord(value) || value.format !== ENVELOPE_FORMAT) {
    return {
      ok: false,
      problem: 'unrecognised',
      detail: 'it is not a tokenloop cache (damaged or truncated)',
    };
  }
  if (typeof value.v === 'number' && value.v > ENVELOPE_VERSION) {
    return {
      ok: false,
      problem: 'future-version',
      detail: `it was written by a newer tokenloop (format v${value.v}; this version reads v${ENVELOPE_VERSION})`,
    };
  }
  const { v, alg, keyId } = value;
  const iv = base64url(value.iv);
  const tag = base64url(value.tag);
  const data = base64url(value.data);
  if (v !== ENVELOPE_VERSION || alg !== ALG || typeof keyId !== 'string' || !iv || !tag || !data) {
    return { ok: false, problem: 'damaged', detail: 'its header is damaged' };
  }
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    return { ok: false, problem: 'damaged', detail: 'its header is damaged' };
  }
  const key = keys.find((k) => k.id === keyId);
  if (!key) {
    return {
      ok: false,
      problem: 'unknown-key',
      detail: `it is encrypted with key ${keyId}, which is not available here (wrong key?)`,
    };
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, iv);
    decipher.setAAD(additionalData(ENVELOPE_VERSION, key.id, context));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(data), decipher.final()]);
    return { ok: true, plaintext, key };
  } catch {
    return {
      ok: false,
      problem: 'authentication-failed',
      detail: 'it does not decrypt (damaged or altered)',
    };
  }
}

function additionalData(v: number, keyId: string, context: string): Buffer {
  return Buffer.from(JSON.stringify([ENVELOPE_FORMAT, v, ALG, keyId, context]), 'utf8');
}

function base64url(value: unknown): Buffer | undefined {
  if (!isBase64url(value)) return undefined;
  return Buffer.from(value, 'base64url');
}
