// Shared helpers of the oidc-provider interoperability tests. Tokens are only ever compared, never printed:
// assertions on token values use `assert.ok(a === b, message)` so that a failure shows the message only.
import assert from 'node:assert/strict';
import { type AuthResult, type CacheStore, type TokenClient, createTokenClient } from 'tokenloop';
import {
  CLIENT_IDS,
  type OidcProviderHarness,
  type ProviderBrowser,
  type TokenRequestRecord,
  type UserName,
} from '../support/oidc-provider-server.js';

/** The library tests' one rejectsWith (it also checks that no token leaks into the message). */
export { rejectsWith } from '../support/assertions.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Decodes a JWT payload without verifying it: only to look at claims of a token the library already validated. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function nativeClient(h: OidcProviderHarness, cache?: CacheStore): TokenClient {
  return createTokenClient({ issuer: h.issuer, clientId: CLIENT_IDS.native, ...(cache ? { cache } : {}) });
}

export interface InteractiveLogin {
  result: AuthResult;
  /** The authorization request the library built. */
  request: URL;
  /** The authorization response the provider sent to the loopback redirect URI. */
  callback: URL;
  /** What the library's loopback listener answered the browser. */
  page: { status: number; body: string };
  browser: ProviderBrowser;
}

/**
 * `loginInteractive` with an `openBrowser` that signs `user` in at the provider over HTTP (cookie jar) and
 * then GETs the loopback redirect, as the system browser would.
 */
export async function loginInteractively(
  h: OidcProviderHarness,
  client: TokenClient,
  user: UserName,
  scopes: string[] = ['openid', 'profile', 'email'],
): Promise<InteractiveLogin> {
  const browser = h.browser();
  let request: URL | undefined;
  let browsing: Promise<{ callback: URL; page: { status: number; body: string } }> | undefined;
  let result: AuthResult;
  try {
    result = await client.loginInteractive({
      scopes,
      timeoutMs: 30_000,
      openBrowser: async (url) => {
        request = url;
        browsing = browser.authorizeAndDeliver(url, { user }).then((d) => ({
          callback: d.outcome.callback,
          page: { status: d.status, body: d.body },
        }));
        await browsing;
      },
    });
  } catch (err) {
    // A failure of the stand-in itself says more than the library's "could not open a browser".
    await browsing;
    throw err;
  }
  // The library resolves as soon as it has answered the redirect; the browser may still be reading that page.
  assert.ok(request && browsing, 'the library opened the browser');
  const { callback, page } = await browsing;
  return { result, request, callback, page, browser };
}

/** The next token request that matches, as the provider answered it. */
export function nextTokenRequest(
  h: OidcProviderHarness,
  match: (r: TokenRequestRecord) => boolean,
): Promise<TokenRequestRecord> {
  return new Promise((resolve) => {
    const listener = (r: TokenRequestRecord) => {
      if (!match(r)) return;
      h.events.off('token', listener);
      resolve(r);
    };
    h.events.on('token', listener);
  });
}

/** Outcomes of the token requests of one grant type and client since index `from`: `ok` or the OAuth error. */
export function outcomes(h: OidcProviderHarness, grantType: string, clientId: string, from = 0): string[] {
  return h.tokenRequests
    .slice(from)
    .filter((r) => r.grantType === grantType && r.clientId === clientId)
    .map((r) => r.error ?? (r.status === 200 ? 'ok' : `HTTP ${r.status}`));
}
