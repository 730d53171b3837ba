import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertifiedKey } from './certificates.js';
import { ensurePrivateFolder, readPrivateFile, writePrivateFile } from './private-files.js';
import { certificateDer, thumbprints } from './thumbprints.js';

/** The X.509 generator is loaded only when a key must be made, keeping start-up with stored keys fast. */
async function newKeyMaterial(): Promise<CertifiedKey> {
  const { createSelfSignedKey } = await import('./certificates.js');
  return createSelfSignedKey('tokenloop emulator token signing');
}

/** A token-signing key with its certificate; `kid` equals `x5t` as on Entra. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
  createdAt: number;
  /** When a rotation replaced it; the key stays published for the grace period. */
  retiredAt?: number;
  material: CertifiedKey;
}

interface StoredKey {
  privateKeyPem: string;
  certificatePem: string;
  createdAt: number;
  retiredAt?: number;
}

function isStoredKeys(v: unknown): v is StoredKey[] {
  return (
    Array.isArray(v) &&
    v.every(
      (k) =>
        typeof k === 'object' &&
        k !== null &&
        typeof k.privateKeyPem === 'string' &&
        typeof k.certificatePem === 'string' &&
        typeof k.createdAt === 'number' &&
        (k.retiredAt === undefined || typeof k.retiredAt === 'number'),
    )
  );
}

function toSigningKey(material: CertifiedKey, createdAt: number, retiredAt?: number): SigningKey {
  const { x5t } = thumbprints(material.certificatePem);
  const privateKey = createPrivateKey(material.privateKeyPem);
  const pub = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    kid: x5t,
    privateKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      kid: x5t,
      x5t,
      n: pub.n,
      e: pub.e,
      x5c: [certificateDer(material.certificatePem).toString('base64')],
    },
    createdAt,
    ...(retiredAt !== undefined ? { retiredAt } : {}),
    material,
  };
}

/** S93: signing keys published at once: the active one and the most recent retired ones in their grace period. */
export const MAX_PUBLISHED_KEYS = 10;

/**
 * The emulator's signing keys: one active, older ones published until their grace period ends.
 * Persisted (0600) in the data directory when there is one, so tokens survive restarts.
 */
export class SigningKeys {
  private keys: SigningKey[];

  private constructor(
    keys: SigningKey[],
    private readonly file: string | undefined,
    private readonly graceSeconds: number,
  ) {
    this.keys = keys;
  }

  static async open(dataDir: string | undefined, graceSeconds: number): Promise<SigningKeys> {
    const file = dataDir ? join(dataDir, 'signing-keys.json') : undefined;
    if (dataDir && file) {
      await ensurePrivateFolder(dataDir); // S88: keys only from the user's own private folder
      const loaded = await readStored(file);
      if (loaded?.length) {
        const set = new SigningKeys(
          loaded.map((k) => toSigningKey(k, k.createdAt, k.retiredAt)),
          file,
          graceSeconds,
        );
        set.prune();
        return set;
      }
    }
    const first = toSigningKey(await newKeyMaterial(), Date.now());
    const set = new SigningKeys([first], file, graceSeconds);
    await set.save();
    return set;
  }

  get active(): SigningKey {
    return this.keys[0]!;
  }

  /** Keys to publish in the JWKS: the active one and any still within their grace period. */
  published(): SigningKey[] {
    this.prune();
    return this.keys;
  }

  find(kid: string): SigningKey | undefined {
    return this.published().find((k) => k.kid === kid);
  }

  /** Makes a new key active; the old one keeps verifying for the grace period. */
  async rotate(): Promise<SigningKey> {
    const fresh = toSigningKey(await newKeyMaterial(), Date.now());
    const now = Date.now();
    for (const k of this.keys) k.retiredAt ??= now;
    this.keys = [fresh, ...this.keys];
    this.prune();
    await this.save();
    return fresh;
  }

  private prune(): void {
    const cutoff = Date.now() - this.graceSeconds * 1000;
    this.keys = this.keys
      .filter((k, i) => i === 0 || (k.retiredAt ?? Date.now()) > cutoff)
      .slice(0, MAX_PUBLISHED_KEYS); // S93: rotating through the admin API cannot grow the key set
  }

  private async save(): Promise<void> {
    if (!this.file) return;
    const body = this.keys.map((k) => ({
      ...k.material,
      createdAt: k.createdAt,
      ...(k.retiredAt !== undefined ? { retiredAt: k.retiredAt } : {}),
    }));
    await writePrivateFile(this.file, JSON.stringify(body, null, 2));
  }
}

async function readStored(file: string): Promise<StoredKey[] | undefined> {
  // S88: a key file of another user, or one others may read, is refused (never used, never replaced).
  const text = await readPrivateFile(file, { secret: true, renew: file });
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isStoredKeys(parsed)) return parsed;
  } catch {
    // fall through
  }
  // An unreadable key file is set aside, never silently overwritten.
  await rename(file, `${file}.corrupt-${Date.now()}`).catch(() => {});
  process.emitWarning(`emulator: ${file} was unreadable; moved aside and created new signing keys`);
  return undefined;
}
