import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertifiedKey } from './certificates.js';
import { writeFileAtomic } from './signing-keys.js';
import { certificateCovers } from './thumbprints.js';

export interface HttpsMaterial {
  caCertFile: string;
  cert: string;
  key: string;
}

async function readPair(certFile: string, keyFile: string): Promise<CertifiedKey | undefined> {
  try {
    return {
      certificatePem: await readFile(certFile, 'utf8'),
      privateKeyPem: await readFile(keyFile, 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/**
 * A local CA and a server certificate for `hosts`, generated once in `dataDir/tls` and reused; the
 * server certificate is re-issued (by the same CA) when it no longer covers the hosts or is near expiry.
 */
export async function ensureHttpsMaterial(dataDir: string, hosts: string[]): Promise<HttpsMaterial> {
  const dir = join(dataDir, 'tls');
  const caCertFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  const { createCertificateAuthority, createServerCertificate } = await import('./certificates.js');
  let ca = await readPair(caCertFile, caKeyFile);
  if (!ca) {
    ca = await createCertificateAuthority();
    await writeFileAtomic(caKeyFile, ca.privateKeyPem);
    await writeFileAtomic(caCertFile, ca.certificatePem);
  }
  let server = await readPair(certFile, keyFile);
  if (!server || !certificateCovers(server.certificatePem, hosts)) {
    server = await createServerCertificate(ca, hosts);
    await writeFileAtomic(keyFile, server.privateKeyPem);
    await writeFileAtomic(certFile, server.certificatePem);
  }
  return { caCertFile, cert: server.certificatePem, key: server.privateKeyPem };
}
