import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { LOOPBACK_DNS_NAMES, LOOPBACK_IP_RANGES } from '../http/loopback-names.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as never);

const RSA_ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

export interface CertifiedKey {
  privateKeyPem: string;
  certificatePem: string;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

async function exportPrivatePem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trim()}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivatePem(pem: string): Promise<CryptoKey> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), RSA_ALG, true, ['sign']);
}

/** PEM text ends with a newline, so that files can be concatenated into a bundle (issue 12). */
function pem(cert: x509.X509Certificate): string {
  const text = cert.toString('pem');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * S89: the local CA may vouch for loopback names and addresses only (RFC 5280 §4.2.1.10 permitted subtrees,
 * critical): a dNSName `localhost` covers localhost and every name below it, the iPAddress ranges 127.0.0.0/8
 * and ::1. Were its key ever to leak, a certificate it signed for any other host is refused by the verifier.
 */
function loopbackNameConstraints(): x509.Extension {
  const permitted = new GeneralSubtrees([
    ...LOOPBACK_DNS_NAMES.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...LOOPBACK_IP_RANGES.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
  ]);
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

function years(n: number): Date {
  const d = new Date();
  d.setFullYear(d.getFullYear() + n);
  return d;
}

/** An RSA key with a self-signed certificate: token signing keys (`x5c`) and client certificates. */
export async function createSelfSignedKey(commonName: string, validYears = 5): Promise<CertifiedKey> {
  const keys = (await webcrypto.subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: years(validYears),
    keys,
    signingAlgorithm: RSA_ALG,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return { privateKeyPem: await exportPrivatePem(keys.privateKey), certificatePem: pem(cert) };
}

/** A local certificate authority for `--https`, limited to loopback names and addresses (S89). */
export async function createCertificateAuthority(): Promise<CertifiedKey> {
  const keys = (await webcrypto.subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=tokenloop emulator local CA (loopback only), O=tokenloop (local testing only)',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: years(10),
    keys,
    signingAlgorithm: RSA_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      loopbackNameConstraints(),
    ],
  });
  return { privateKeyPem: await exportPrivatePem(keys.privateKey), certificatePem: pem(cert) };
}

/** A TLS server certificate for the given DNS names and IP addresses, signed by the local CA. */
export async function createServerCertificate(ca: CertifiedKey, hosts: string[]): Promise<CertifiedKey> {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caKey = await importPrivatePem(ca.privateKeyPem);
  const keys = (await webcrypto.subtle.generateKey(RSA_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  const names = hosts.map((h) =>
    isIp(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  // Never an address as the common name: verifiers check a host-like CN against the CA's DNS name constraints.
  const commonName = hosts.find((h) => !isIp(h)) ?? 'tokenloop emulator';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: years(2),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: RSA_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { privateKeyPem: await exportPrivatePem(keys.privateKey), certificatePem: pem(cert) };
}
