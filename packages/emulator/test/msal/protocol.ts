/**
 * Messages between msal.test.ts (the parent, which drives Chromium) and the MSAL driver (a child Node process
 * started with NODE_EXTRA_CA_CERTS so MSAL trusts the emulator's local CA). Tokens never cross this channel:
 * only decoded, non-secret claims, verification outcomes and the URLs a browser has to open.
 */

/** An MSAL application the driver creates, used exactly as msal-node's docs show. */
export interface AppSpec {
  /** Handle later operations refer to. */
  name: string;
  kind: 'public' | 'confidential';
  clientId: string;
  /** `${emulator.url}/${tenant}`. */
  authority: string;
  clientSecret?: string;
  /** PEM private key plus one of the hex thumbprints, as `auth.clientCertificate` takes them. */
  clientCertificate?: { privateKey: string; thumbprintSha256?: string; thumbprint?: string };
}

export type Operation =
  | { op: 'createApp'; app: AppSpec }
  | {
      /** getAuthCodeUrl (PKCE) → browser → redirect to a loopback server in the driver → acquireTokenByCode. */
      op: 'signInByCode';
      app: string;
      scopes: string[];
      /** Path of the loopback redirect URI (`/` for the native app, `/auth/callback` for the web app). */
      redirectPath: string;
      /** Host of the loopback redirect URI (default 127.0.0.1); the driver's server listens on 127.0.0.1. */
      redirectHost?: '127.0.0.1' | 'localhost';
      responseMode?: 'query' | 'form_post';
      callMe?: boolean;
    }
  | { op: 'signInInteractive'; app: string; scopes: string[]; callMe?: boolean }
  | { op: 'signInByDeviceCode'; app: string; scopes: string[]; callMe?: boolean }
  | {
      /** acquireTokenByUsernamePassword (resource owner password credentials), as test automation uses it. */
      op: 'signInByPassword';
      app: string;
      scopes: string[];
      username: string;
      password: string;
    }
  | {
      op: 'silent';
      app: string;
      username: string;
      scopes: string[];
      forceRefresh?: boolean;
      callMe?: boolean;
    }
  | { op: 'clientCredentials'; app: string; scopes: string[] }
  | {
      /** The middle tier (`app`, confidential) trades the user's token for `fromScopes` (from `fromApp`'s cache). */
      op: 'onBehalfOf';
      app: string;
      fromApp: string;
      username: string;
      fromScopes: string[];
      scopes: string[];
      callMe?: boolean;
    }
  | { op: 'accounts'; app: string };

/** Decoded header and a fixed set of non-secret claims of a JWT. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface IdTokenCheck {
  /** Signature checked against the JWKS named by the authority's discovery document, plus iss/aud/exp. */
  verified: boolean;
  /** The JWKS URI the key came from. */
  jwksUri: string;
  error?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

export interface TokenSummary {
  fromCache: boolean;
  tokenType: string;
  scopes: string[];
  /** Seconds from now until `expiresOn`. */
  expiresIn: number | null;
  tenantId: string;
  uniqueId: string;
  account: {
    homeAccountId: string;
    environment: string;
    tenantId: string;
    username: string;
    localAccountId: string;
    name?: string;
  } | null;
  /** What MSAL itself parsed out of the ID token (the `idTokenClaims` of the result). */
  msalIdTokenClaims: Record<string, unknown> | null;
  idToken: IdTokenCheck | null;
  accessToken: DecodedJwt | null;
  /** `GET ${url}/v1.0/me` with the access token, when asked for. */
  me?: { status: number; id?: string; userPrincipalName?: string; displayName?: string; error?: string };
}

export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresIn: number;
  interval: number;
}

/** How an operation failed: MSAL's error class name, `errorCode` and `subError` when it is an MSAL error. */
export interface DriverError {
  name: string;
  message: string;
  errorCode?: string;
  subError?: string;
}

export type ParentMessage = { type: 'call'; id: number } & Operation;

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: DriverError }
  /** A browser has to open `url` (an authorize URL, no secrets) for call `id`. */
  | { type: 'browse'; id: number; url: string }
  | ({ type: 'deviceCode'; id: number } & DeviceCodeInfo);
