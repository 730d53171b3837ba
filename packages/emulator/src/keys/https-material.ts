import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import type { CertifiedKey } from './certificates.js';
import { hasCriticalNameConstraints } from '../http/loopback-names.js';
import {
  ensurePrivateFolder,
  type PrivateFileRule,
  readPrivateFile,
  writePrivateFile,
} from './private-files.js';
import { certificateCovers, certificateDer } from './thumbprints.js';

export interface HttpsMaterial {
  caCertFile: string;
  cert: string;
  key: string;
}

/** A certificate and its key from the private folder (S88), or undefined when either is missing. */
async function readPair(certFile: string, keyFile: string, renew: string): Promise<CertifiedKey | undefined> {
  const afterRenew = `trust the new ${join(renew, 'ca.pem')}`;
  const certRule: PrivateFileRule = { secret: false, renew, afterRenew };
  const keyRule: PrivateFileRule = { secret: true, renew, afterRenew };
  const certificatePem = await readPrivateFile(certFile, certRule);
  const privateKeyPem = await readPrivateFile(keyFile, keyRule);
  return certificatePem && privateKeyPem ? { certificatePem, privateKeyPem } : undefined;
}

/** Whether `pair`'s key belongs to its certificate (a half-written or mixed-up pair is made again). */
function matches(pair: CertifiedKey): boolean {
  try {
    return new X509Certificate(pair.certificatePem).checkPrivateKey(createPrivateKey(pair.privateKeyPem));
  } catch {
    return false;
  }
}

/** Why a stored CA cannot be used as it is, or undefined when it can. */
function caProblem(ca: CertifiedKey): string | undefined {
  if (!matches(ca)) return 'its key does not match its certificate';
  const cert = new X509Certificate(ca.certificatePem);
  if (!cert.ca) return 'it is not a CA certificate';
  if (new Date(cert.validTo).getTime() < Date.now() + 30 * 86_400_000) return 'it expires within 30 days';
  // S89: earlier versions made a CA without name constraints, able to vouch for any host.
  if (!hasCriticalNameConstraints(certificateDer(ca.certificatePem))) {
    return 'it was made by an earlier version without name constraints (it could vouch for any host)';
  }
  return undefined;
}

/** Whether the stored server certificate can be served: its key, the hosts, and issued by this CA. */
function serverFits(server: CertifiedKey, ca: CertifiedKey, hosts: string[]): boolean {
  if (!matches(server) || !certificateCovers(server.certificatePem, hosts)) return false;
  const cert = new X509Certificate(server.certificatePem);
  const issuer = new X509Certificate(ca.certificatePem);
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * A local CA and a server certificate for `hosts`, generated once in `dataDir/tls` and reused; the server
 * certificate is re-issued (by the same CA) when it no longer covers the hosts, is near expiry or is not the
 * CA's. The folders and files must be the user's own and private (S88). A CA of an earlier version, without
 * name constraints, is replaced by one limited to loopback names (S89), and `log` says so: whoever trusted the
 * old one must trust the new `ca.pem` instead (at the same path).
 */
export async function ensureHttpsMaterial(
  dataDir: string,
  hosts: string[],
  log: (line: string) => void = () => {},
): Promise<HttpsMaterial> {
  const dir = join(dataDir, 'tls');
  await ensurePrivateFolder(dataDir);
  await ensurePrivateFolder(dir);
  const caCertFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  let ca = await readPair(caCertFile, caKeyFile, dir);
  let server = await readPair(certFile, keyFile, dir);
  const problem = ca && caProblem(ca);
  if (!ca || problem) {
    const { createCertificateAuthority } = await import('./certificates.js');
    ca = await createCertificateAuthority();
    await writePrivateFile(caKeyFile, ca.privateKeyPem);
    await writePrivateFile(caCertFile, ca.certificatePem);
    if (problem) {
      log(
        `the local CA in ${caCertFile} was replaced: ${problem}. The new CA vouches for localhost, *.localhost, 127.0.0.0/8 and ::1 only; if you added the old ca.pem to a trust store, remove it there and trust ${caCertFile} instead`,
      );
    }
  }
  if (!server || !serverFits(server, ca, hosts)) {
    const { createServerCertificate } = await import('./certificates.js');
    server = await createServerCertificate(ca, hosts);
    await writePrivateFile(keyFile, server.privateKeyPem);
    await writePrivateFile(certFile, server.certificatePem);
  }
  return { caCertFile, cert: server.certificatePem, key: server.privateKeyPem };
}
