import type { KeyObject } from 'node:crypto';
import type { OAuthEndpoints } from '../authority/authority.js';
import type { CacheStore } from './cache-store.js';
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
