import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { matchesRedirectUri } from '../directory/redirect-uri.js';
import type { Params } from '../http/request.js';
import type { ClientCredentials } from './client-auth.js';

/**
 * What lets a browser page read a token response. Entra adds CORS headers only when a single-page app redeems
 * its own grant; the value is the wildcard (msal-browser's requests carry no credentials).
 */
const SPA_CORS_HEADERS: Readonly<Record<string, string>> = { 'Access-Control-Allow-Origin': '*' };

export interface BrowserRedemption {
  /**
   * The request redeems a single-page app's grant (a code sent to a `spa` redirect URI, or a refresh token
   * descended from one), cross-origin: the client is a public client for it, whatever else the app is.
   */
  spaGrant: boolean;
  /** Headers for the answer, success or error: CORS for a single-page app's redemption, else none. */
  headers: Readonly<Record<string, string>>;
}

/**
 * Whether the grant this request redeems belongs to a single-page app, from what the emulator issued: true or
 * false for a code or refresh token it knows (of this client), undefined for anything else.
 */
function issuedToSpa(
  ctx: EmulatorContext,
  app: App,
  grantType: string | undefined,
  p: Params,
): { spa: boolean; pkce: boolean } | undefined {
  if (grantType === 'authorization_code') {
    const record = ctx.state.codes.peek(p.get('code') ?? '')?.value;
    if (!record || record.clientId !== app.clientId) return undefined;
    return { spa: !!record.spa, pkce: record.codeChallenge !== undefined };
  }
  if (grantType === 'refresh_token') {
    const record = ctx.state.refreshTokens.peek(p.get('refresh_token') ?? '')?.value;
    if (!record || record.clientId !== app.clientId) return undefined;
    return { spa: record.spaExpiresAt !== undefined, pkce: true };
  }
  return undefined;
}

/**
 * The token endpoint's single-page-app rules, in one place, checked before client authentication (Entra's
 * auth-code-flow doc and error codes; sources in docs/emulator-fidelity.md):
 * - A request naming an `Origin` was sent by a browser page. Only a public-client redemption of a single-page
 *   app's code or refresh token passes, and only its answers carry CORS headers; every other grant, any client
 *   credential, and a code sent to a web or mobile/desktop redirect URI is refused with AADSTS9002326 naming
 *   the origin, without CORS headers (the page cannot read it).
 * - A single-page app's code or refresh token redeemed without `Origin` (by a server) is refused with
 *   AADSTS9002327; a single-page app's code issued without PKCE, either way, with AADSTS9002325.
 * A code or refresh token the emulator does not know (garbage, swept) is judged by the request's
 * `redirect_uri`, so that a page still reads the error that follows.
 */
export function checkBrowserRedemption(
  ctx: EmulatorContext,
  req: IncomingMessage,
  app: App,
  grantType: string | undefined,
  p: Params,
  creds: ClientCredentials,
): BrowserRedemption {
  const origin = req.headers.origin;
  const issued = issuedToSpa(ctx, app, grantType, p);
  if (origin === undefined) {
    if (!issued?.spa) return { spaGrant: false, headers: {} };
    if (!issued.pkce) throw new EntraError(9002325);
    throw new EntraError(9002327);
  }
  const redirectUri = p.get('redirect_uri');
  const spa =
    issued?.spa ??
    ((grantType === 'authorization_code' || grantType === 'refresh_token') &&
      redirectUri !== undefined &&
      matchesRedirectUri(app.spaRedirectUris, redirectUri));
  const credentialPresented = creds.secret !== undefined || creds.assertion !== undefined;
  if (!spa || credentialPresented) throw new EntraError(9002326, { origin: origin.slice(0, 200) });
  if (issued && !issued.pkce) {
    const err = new EntraError(9002325);
    Object.assign(err.headers, SPA_CORS_HEADERS);
    throw err;
  }
  return { spaGrant: true, headers: SPA_CORS_HEADERS };
}
