// Every entry point asks for Node's types: TypeScript 6+ loads none unless asked (test/packaging-types.test.ts).
/// <reference types="node" preserve="true" />
import { TokenloopError } from '../errors/errors.js';
import { MAX_TOKEN_LENGTH, isBearerTokenSyntax } from '../model/token-syntax.js';

// The one RFC 6750 token rule these strings check (S211), for a program that writes a token where a mail server or
// an HTTP header reads it: importable without loading the token client (tokenloop/client loads ~50 modules).
export { isBearerTokenSyntax } from '../model/token-syntax.js';

function checkUser(user: string): void {
  if (typeof user !== 'string' || user === '' || /[\x00-\x1f\x7f]/.test(user)) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'the mail user must be a non-empty string without control characters',
    );
  }
}

/** S211: the token goes into the SASL string only if it passes the one RFC 6750 rule; never repeated. */
function checkToken(token: string): void {
  if (!isBearerTokenSyntax(token)) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      'the access token must be an RFC 6750 bearer token (letters, digits and - . _ ~ + / then any "=") ' +
        `of at most ${MAX_TOKEN_LENGTH} characters`,
    );
  }
}

/**
 * The SASL XOAUTH2 initial response (Google / Microsoft): base64 of `user=USER^Aauth=Bearer TOKEN^A^A`.
 *
 * @example
 * ```ts
 * import { xoauth2 } from 'tokenloop';
 * const line = `A01 AUTHENTICATE XOAUTH2 ${xoauth2('alice@contoso.com', 'eyJ...')}`;
 * ```
 * @see https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
 */
export function xoauth2(user: string, accessToken: string): string {
  checkUser(user);
  checkToken(accessToken);
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/** RFC 7628 §3.1 saslname escaping: `,` → `=2C`, `=` → `=3D`. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/**
 * The SASL OAUTHBEARER initial client response (RFC 7628): base64 of
 * `n,a=USER,^Ahost=HOST^Aport=PORT^Aauth=Bearer TOKEN^A^A`. Host and port are optional.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7628#section-3.1
 */
export function oauthBearer(
  user: string,
  accessToken: string,
  target: { host?: string; port?: number } = {},
): string {
  checkUser(user);
  checkToken(accessToken);
  let kv = '';
  if (target.host !== undefined) {
    if (/[\x00-\x20\x7f]/.test(target.host)) throw new TokenloopError('INVALID_ARGUMENT', 'invalid host');
    kv += `host=${target.host}\x01`;
  }
  if (target.port !== undefined) {
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535)
      throw new TokenloopError('INVALID_ARGUMENT', 'invalid port');
    kv += `port=${target.port}\x01`;
  }
  return Buffer.from(`n,a=${saslName(user)},\x01${kv}auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString(
    'base64',
  );
}

/**
 * Microsoft 365 (Exchange Online) scopes for mail protocols. One sign-in can consent to all of them (with
 * `extraScopesToConsent`), then each protocol's token comes silently; `offline_access` is added by tokenloop.
 * App-only access (client credentials) uses `OUTLOOK_APP_SCOPE` with the app's Exchange permissions.
 *
 * @example
 * ```ts
 * import { OUTLOOK_SCOPES } from 'tokenloop/mail';
 * const scopes = [OUTLOOK_SCOPES.imap];
 * ```
 */
export const OUTLOOK_SCOPES = {
  imap: 'https://outlook.office.com/IMAP.AccessAsUser.All',
  pop: 'https://outlook.office.com/POP.AccessAsUser.All',
  smtp: 'https://outlook.office.com/SMTP.Send',
} as const;

/** The app-only scope for Exchange Online mail protocols (client credentials). */
export const OUTLOOK_APP_SCOPE = 'https://outlook.office365.com/.default';
