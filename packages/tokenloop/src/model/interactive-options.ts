/** Options of `beginAuthorization` (web apps, authorization code + PKCE). */
export interface AuthorizationRequestOptions {
  /** Your app's callback URL, exactly as registered (S11). */
  redirectUri: string;
  scopes: string[];
  /**
   * Entra: permissions of other resources to consent to in the same sign-in (e.g. Outlook IMAP next to Graph),
   * so that the one refresh token later serves them silently. The token returned is for `scopes`.
   */
  extraScopesToConsent?: string[];
  /** `query` (default) or `form_post`. */
  responseMode?: 'query' | 'form_post';
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
  loginHint?: string;
  domainHint?: string;
  /** Require a sign-in no older than this many seconds (checked against `auth_time`, S32). */
  maxAge?: number;
  /** An Entra claims challenge to pass on (from `OAuthError.claims`). */
  claims?: string;
  /** More authorization parameters (never overriding the protocol ones). */
  extraParameters?: Record<string, string>;
}

/**
 * What must be kept between the two steps, bound to the user agent (a transaction cookie or the server
 * session), and used once (S04, S55). It holds secrets (PKCE verifier): never put it in a URL.
 */
export interface AuthorizationTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  scopes: string[];
  /** The issuer the request went to (mix-up defence, S05). */
  issuer: string;
  maxAge?: number | undefined;
  responseMode: 'query' | 'form_post';
  /** Epoch ms; transactions older than 10 minutes are refused. */
  createdAt: number;
}

/** Options of `loginInteractive` (native apps: system browser + loopback redirect, RFC 8252). */
export interface LoopbackOptions {
  scopes: string[];
  /**
   * Entra: permissions of other resources to consent to in the same sign-in (e.g. Outlook IMAP next to Graph),
   * so that the one refresh token later serves them silently. The token returned is for `scopes`.
   */
  extraScopesToConsent?: string[];
  /** Port on 127.0.0.1 to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Path of the redirect URI (default `/`). */
  redirectPath?: string;
  /** Host in the redirect URI: `127.0.0.1` (default) or `localhost` (still bound to 127.0.0.1). */
  redirectHost?: '127.0.0.1' | 'localhost';
  /** Open the URL; default: `$BROWSER`, else the desktop's opener. */
  openBrowser?: (url: URL) => Promise<void>;
  /** Told the URL (e.g. to print it when no browser could be opened). */
  onUrl?: (url: URL) => void;
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
  loginHint?: string;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What to show the user in the device code flow. */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string | undefined;
  /** The provider's own instruction text, if any. */
  message?: string | undefined;
  expiresAt: Date;
}

/** Options of `loginWithDeviceCode` (RFC 8628). */
export interface DeviceCodeOptions {
  scopes: string[];
  /**
   * Entra: permissions of other resources to consent to in the same sign-in (e.g. Outlook IMAP next to Graph),
   * so that the one refresh token later serves them silently. The token returned is for `scopes`.
   */
  extraScopesToConsent?: string[];
  /** Show the code to the user. */
  onPrompt: (prompt: DeviceCodePrompt) => void;
  /** Give up earlier than the code's own expiry. */
  timeoutMs?: number;
  signal?: AbortSignal;
}
