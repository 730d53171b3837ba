import { createHash, X509Certificate } from 'node:crypto';

/** DER bytes of the first certificate in a PEM. */
export function certificateDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new TypeError('not a PEM certificate');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** `x5t` (SHA-1) and `x5t#S256` (SHA-256) thumbprints, base64url, as JOSE headers carry them. */
export function thumbprints(pem: string): { x5t: string; x5tS256: string } {
  const der = certificateDer(pem);
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

/** Whether a certificate's subjectAltName covers every host and it stays valid for at least a day. */
export function certificateCovers(pem: string, hosts: string[]): boolean {
  const cert = new X509Certificate(pem);
  if (new Date(cert.validTo).getTime() < Date.now() + 86_400_000) return false;
  const names = new Set(
    (cert.subjectAltName ?? '').split(',').map((s) =>
      s
        .trim()
        .replace(/^(DNS|IP Address):/, '')
        .toLowerCase(),
    ),
  );
  const canonical = (h: string) => (h === '::1' ? '0:0:0:0:0:0:0:1' : h.toLowerCase());
  return hosts.every((h) => names.has(h.toLowerCase()) || names.has(canonical(h)));
}
