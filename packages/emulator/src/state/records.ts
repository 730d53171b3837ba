import type { RequestedScopes } from '../directory/scopes.js';

/** An authorize request in progress: between the first request and the code, across login/consent pages. */
export interface AuthorizeTransaction {
  id: string;
  kind: 'authorize' | 'device';
  tenantSegment: string;
  clientId: string;
  redirectUri: string;
  responseType: string;
  responseMode: 'query' | 'fragment' | 'form_post';
  scopes: RequestedScopes;
  state?: string;
  nonce?: string;
  prompt?: string;
  loginHint?: string;
  domainHint?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  clientInfo: boolean;
  maxAge?: number;
  /** Started at the v1 authorize endpoint: an ID token in the answer is a v1 ID token. */
  idTokenVersion?: 1;
  /** Device flow: the device code this transaction approves. */
  deviceCode?: string;
  /** Set once the user has authenticated. */
  userId?: string;
  authTime?: number;
  /** The consent page was answered in this transaction. */
  consentShown?: boolean;
  /** The user typed their password in this transaction (the SSO session id is then renewed). */
  interactive?: boolean;
  /** Device flow: the user answered Continue on the page naming the app (S86). */
  deviceConfirmed?: boolean;
  /**
   * SHA-256 of the secret in this transaction's cookie, set when its first page is shown: the page posts are
   * accepted only from the browser holding that cookie (login CSRF, transaction hijack).
   */
  browserBinding?: string;
}

/** The device-code page as shown to one browser: its code form is accepted only from there (S85). */
export interface DeviceEntry {
  id: string;
  browserBinding?: string;
}

/** A sign-out waiting for the user's confirmation (S85): where to go afterwards, when the app named it. */
export interface SignOutRequest {
  id: string;
  browserBinding?: string;
  appName?: string;
  /** A registered post-logout redirect URI of the app, with `state` added. */
  returnTo?: string;
}

export interface CodeRecord {
  clientId: string;
  redirectUri: string;
  userId: string;
  tenantId: string;
  scopes: RequestedScopes;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  authTime: number;
  grantId: string;
  redeemed: boolean;
  /** Issued to a redirect URI of the app's `spa` platform: redeemed only cross-origin, with PKCE. */
  spa?: boolean;
}

export interface DeviceCodeRecord {
  deviceCode: string;
  userCode: string;
  clientId: string;
  tenantSegment: string;
  scopes: RequestedScopes;
  interval: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'declined';
  userId?: string;
  authTime?: number;
  /** The grant the tokens will belong to; revoking it before redemption refuses the device code. */
  grantId: string;
}

export interface SsoSession {
  id: string;
  /** Users signed in in this browser, most recent first, with their authentication time. */
  users: { userId: string; authTime: number }[];
  createdAt: number;
}

export interface RefreshTokenRecord {
  clientId: string;
  userId: string;
  tenantId: string;
  /** OIDC scopes of the original grant (`openid`, `profile`, `email`, `offline_access`). */
  oidc: string[];
  /** The resource (audience) and scopes of the original request, used when a refresh names no scope. */
  resource: string;
  /** The original request's permissions as the client wrote them (`User.Read`, `https://…/.default`). */
  resourceScopes: string[];
  grantId: string;
  authTime: number;
  issuedAt: number;
  lastUsedAt: number;
  /**
   * Single-page apps: when this token (and every refresh token descended from it) stops working, in ms since
   * the epoch: a fixed time after the sign-in (AADSTS700084 after), redeemed only cross-origin.
   */
  spaExpiresAt?: number;
}

/** What the emulator remembers of each access token it issued (for revocation, introspection, admin). */
export interface AccessTokenRecord {
  uti: string;
  kind: 'delegated' | 'app';
  clientId: string;
  subject: string;
  /** Delegated tokens: the user's object id. */
  userId?: string;
  grantId?: string;
  /** When it was issued, in ms since the epoch (compared with a user's revocation time). */
  issuedAt: number;
  expiresAt: number;
  preview: string;
}
