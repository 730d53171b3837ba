import { type CryptoKey, type JWK, type KeyObject, importJWK } from 'jose';

/** JWKs imported once per algorithm, for as long as their set is current. */
export interface ImportedKeys {
  /** The key of `jwk` for `alg` (imported on first use; a malformed key rejects). */
  get(jwk: JWK, alg: string): Promise<CryptoKey | KeyObject>;
  /** Forget every import (a new set starts afresh). */
  reset(): void;
}

export function importedKeys(): ImportedKeys {
  // Imported keys per JWK object of the current set and algorithm.
  let imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | KeyObject>>>();
  return {
    get(jwk, alg) {
      let byAlg = imported.get(jwk);
      if (!byAlg) imported.set(jwk, (byAlg = new Map()));
      let key = byAlg.get(alg);
      if (!key) {
        key = importJWK({ ...jwk, alg }, alg) as Promise<CryptoKey | KeyObject>;
        byAlg.set(alg, key);
      }
      return key;
    },
    reset() {
      imported = new WeakMap();
    },
  };
}
