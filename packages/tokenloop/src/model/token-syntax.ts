import { TokenloopError } from '../errors/errors.js';

/**
 * The longest token accepted (characters). Entra access tokens stay under ~16 KB even with many claims; HTTP
 * servers commonly refuse header lines past 8–16 KB, so anything longer cannot be used anyway.
 */
export const MAX_TOKEN_LENGTH = 32_768;

/** RFC 6750 §2.1 b64token (= RFC 9110 token68): `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6749 Appendix A.17: `refresh-token = 1*VSCHAR` (%x20-7E). */
const VSCHARS = /^[\x20-\x7e]+$/;

/**
 * S72 / S73: true for a string that can be sent as `Authorization: Bearer <value>` and written anywhere a token
 * goes (a header, a shell word, a line of output) without quoting: RFC 6750 b64token syntax, at most
 * `MAX_TOKEN_LENGTH` characters.
 */
export function isBearerTokenSyntax(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(value);
}

/** S72: RFC 6749 refresh-token syntax (printable ASCII), at most `MAX_TOKEN_LENGTH` characters. */
export function isRefreshTokenSyntax(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && VSCHARS.test(value);
}

/** What is wrong with a token, in words that never repeat it; undefined when nothing is. */
export function tokenSyntaxProblem(kind: 'access' | 'refresh', value: unknown): string | undefined {
  if (kind === 'access' ? isBearerTokenSyntax(value) : isRefreshTokenSyntax(value)) return undefined;
  const name = kind === 'access' ? 'access token' : 'refresh token';
  if (typeof value === 'string' && value.length > MAX_TOKEN_LENGTH)
    return `an ${name} of ${value.length} characters (at most ${MAX_TOKEN_LENGTH})`;
  return kind === 'access'
    ? 'an access token that is not an RFC 6750 bearer token (letters, digits and - . _ ~ + / then any "=")'
    : 'a refresh token that is not an RFC 6749 refresh token (printable ASCII only)';
}

/**
 * S72: check the tokens of a token response as they are received, before anything is cached or handed out.
 * A token that breaks the syntax is the provider's fault (or an attacker's in its place): it is refused with an
 * error that names the problem, never the value.
 */
export function checkReceivedTokens(accessToken: unknown, refreshToken: unknown): void {
  const problem =
    tokenSyntaxProblem('access', accessToken) ??
    (refreshToken === undefined ? undefined : tokenSyntaxProblem('refresh', refreshToken));
  if (problem)
    throw new TokenloopError('INVALID_RESPONSE', `the provider returned ${problem}; nothing was stored`, {
      remediation:
        "This is the provider's fault (or of something between it and you): report it to the provider's operator.",
    });
}
