import type { KeyObject } from 'node:crypto';
import type { OAuthEndpoints } from '../authority/authority.js';
import { TokenloopError } from '../errors/errors.js';
import type { CacheStore } from '../cache/stores/store.js';
import type { HttpOptions } from '../http/http-client.js';

/** A certificate credential (Entra "Certificates & secrets"): the private key and its X.509 certificate. */
export interface ClientCertificate {
  /** PEM private key (PKCS#8 or PKCS#1) or a KeyObject. */
  privateKey: string | KeyObject;
  /** PEM certificate whose thumbprint identifies the key (`x5t` / `x5t#S256`). */
  certificate: string;
  /** Thumbprint kind sent in the assertion header: `sha256` (`x5t#S256`, PS256) or `sha1` (`x5t`, RS256, default). */
  thumbprint?: 'sha1' | 'sha256';
}

/**
 * Options of `createTokenClient`. Give exactly one of `authority` (Entra or the tokenloop emulator),
 * `issuer` (any OpenID Provider) or `endpoints` (plain OAuth 2.0).
 */
export interface TokenClientOptions {
  authority?: string | URL;
  issuer?: string | URL;
  endpoints?: OAuthEndpoints;
  /** The application (client) id. */
  clientId: string;
  /** Confidential clients: the secret VALUE. */
  clientSecret?: string;
  /** Confidential clients: a certificate credential instead of a secret. */
  clientCertificate?: ClientCertificate;
  /** Where tokens are kept (default: in memory). See `encryptedFileStore` and `tokenloop/redis`. */
  cache?: CacheStore;
  /** Entra multi-tenant authorities (`common`, `organizations`): accept tokens only from these tenant ids. */
  allowedTenants?: string[];
  /** Refresh this many seconds before expiry (default 300; never more than half a token's lifetime). */
  refreshAheadSeconds?: number;
  /** Leeway for ID-token times, in seconds (default 60, at most 300). */
  clockToleranceSeconds?: number;
  /** HTTP behaviour: custom fetch, timeout, body cap, the insecure-http development switch. */
  http?: HttpOptions;
  /**
   * Client capabilities declared to Entra with every sign-in and token request, as MSAL's
   * `auth.clientCapabilities`: `['cp1']` says the app answers claims challenges (continuous access evaluation),
   * and Entra then issues long-lived CAE tokens that resources revoke with a challenge. Declare it only when every
   * call the app makes with these tokens passes a challenge's claims back (the Azure SDK's pipeline does, with
   * `tokenloop/azure`). Sent as the `claims` parameter, merged into a claims challenge's (S144).
   */
  clientCapabilities?: string[];
}

/** Check options once, when the client is created (mistakes fail before the first request). */
export function checkClientOptions(o: TokenClientOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new TokenloopError('INVALID_ARGUMENT', 'createTokenClient needs an options object');
  if (typeof o.clientId !== 'string' || o.clientId.trim() === '') {
    throw new TokenloopError(
      'CONFIGURATION',
      'clientId is required (the application id of your app registration)',
    );
  }
  if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret === '')) {
    throw new TokenloopError('CONFIGURATION', 'clientSecret must be a non-empty string');
  }
  if (o.clientSecret !== undefined && o.clientCertificate !== undefined) {
    throw new TokenloopError('CONFIGURATION', 'give either clientSecret or clientCertificate, not both');
  }
  if (
    o.clientCertificate &&
    (!o.clientCertificate.privateKey || typeof o.clientCertificate.certificate !== 'string')
  ) {
    throw new TokenloopError('CONFIGURATION', 'clientCertificate needs privateKey and certificate (PEM)');
  }
  if (
    o.refreshAheadSeconds !== undefined &&
    !(Number.isFinite(o.refreshAheadSeconds) && o.refreshAheadSeconds >= 0)
  ) {
    throw new TokenloopError('CONFIGURATION', 'refreshAheadSeconds must be a number ≥ 0');
  }
  if (
    o.clockToleranceSeconds !== undefined &&
    !(o.clockToleranceSeconds >= 0 && o.clockToleranceSeconds <= 300)
  ) {
    throw new TokenloopError('CONFIGURATION', 'clockToleranceSeconds must be from 0 to 300');
  }
  if (
    o.allowedTenants !== undefined &&
    (!Array.isArray(o.allowedTenants) || !o.allowedTenants.every((t) => typeof t === 'string'))
  ) {
    throw new TokenloopError('CONFIGURATION', 'allowedTenants must be a list of tenant ids');
  }
  if (
    o.clientCapabilities !== undefined &&
    !(
      Array.isArray(o.clientCapabilities) &&
      o.clientCapabilities.length <= 10 &&
      o.clientCapabilities.every((c) => typeof c === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(c))
    )
  ) {
    throw new TokenloopError(
      'CONFIGURATION',
      "clientCapabilities must be a list of up to 10 capability names such as 'cp1'",
    );
  }
}
