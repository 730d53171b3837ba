import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oauth from 'oauth4webapi';
import type { GrantContext } from '../model/grant-context.js';
import type { ClientCertificate } from '../model/client-options.js';
import { TokenloopError } from '../errors/errors.js';

const certificateAuth = new WeakMap<ClientCertificate, Promise<oauth.ClientAuth>>();

async function fromCertificate(
  cert: ClientCertificate,
  tokenEndpoint: () => string,
): Promise<oauth.ClientAuth> {
  let der: Buffer;
  try {
    der = new X509Certificate(cert.certificate).raw;
  } catch {
    throw new TokenloopError('CONFIGURATION', 'clientCertificate.certificate is not a PEM X.509 certificate');
  }
  const sha256 = cert.thumbprint === 'sha256';
  const thumbprint = createHash(sha256 ? 'sha256' : 'sha1')
    .update(der)
    .digest('base64url');
  let pkcs8: string;
  try {
    const key = typeof cert.privateKey === 'string' ? createPrivateKey(cert.privateKey) : cert.privateKey;
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new TokenloopError(
      'CONFIGURATION',
      'clientCertificate.privateKey is not an RSA private key (PEM, PKCS#8 or PKCS#1)',
    );
  }
  // Entra: `x5t#S256` goes with PS256, `x5t` (SHA-1) with RS256; the assertion's audience is the token endpoint.
  const key = await importPKCS8(pkcs8, sha256 ? 'PS256' : 'RS256');
  return oauth.PrivateKeyJwt(key, {
    [oauth.modifyAssertion](header, payload) {
      header[sha256 ? 'x5t#S256' : 'x5t'] = thumbprint;
      payload.aud = tokenEndpoint();
    },
  });
}

/**
 * How this client authenticates at the token endpoint: none (public client), the secret (client_secret_post
 * on Entra, as Microsoft documents; client_secret_basic elsewhere, which RFC 6749 makes mandatory to support
 * — oauth4webapi form-urlencodes id and secret first, S12), or a certificate assertion.
 */
export async function clientAuthFor(ctx: GrantContext): Promise<oauth.ClientAuth> {
  const { clientSecret, clientCertificate } = ctx.options;
  if (clientCertificate) {
    let auth = certificateAuth.get(clientCertificate);
    if (!auth) {
      auth = fromCertificate(clientCertificate, () => ctx.server.as.token_endpoint ?? '');
      certificateAuth.set(clientCertificate, auth);
      auth.catch(() => certificateAuth.delete(clientCertificate));
    }
    return auth;
  }
  if (clientSecret !== undefined) {
    const methods = ctx.server.as.token_endpoint_auth_methods_supported;
    const post =
      ctx.authority.kind === 'entra' ||
      (Array.isArray(methods) &&
        methods.includes('client_secret_post') &&
        !methods.includes('client_secret_basic'));
    return post ? oauth.ClientSecretPost(clientSecret) : oauth.ClientSecretBasic(clientSecret);
  }
  return oauth.None();
}

/** True when the client has a credential (confidential client). */
export function isConfidential(ctx: GrantContext): boolean {
  return ctx.options.clientSecret !== undefined || ctx.options.clientCertificate !== undefined;
}
