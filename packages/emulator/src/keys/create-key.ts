import type { CertifiedKey } from './certificates.js';

/**
 * An RSA-2048 key with a self-signed certificate, e.g. a client certificate credential for tests
 * (`certificates` of an app, or MSAL's `clientCertificate`). Loads the X.509 library on first use only.
 *
 * @example
 * ```ts
 * const { privateKeyPem, certificatePem } = await createSelfSignedKey('my test client');
 * ```
 */
export async function createSelfSignedKey(commonName: string, validYears = 5): Promise<CertifiedKey> {
  const { createSelfSignedKey: create } = await import('./certificates.js');
  return create(commonName, validYears);
}
