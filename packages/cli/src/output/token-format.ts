import type { AuthResult } from 'tokenloop';
import { oauthBearer, xoauth2 } from 'tokenloop/mail';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { tokenJson } from './json-shapes.js';
import { bearerCredential, jsonLine, shellWord } from './quote.js';

/** The formats `tokenloop token --format` writes: its option's choices and the renderers below. */
export const TOKEN_FORMATS = ['raw', 'json', 'header', 'env', 'xoauth2', 'oauthbearer'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/**
 * S221: whether the format's text is the token's alone, the same at any time (json is not: it prints the
 * seconds left), so that a copy of it may be printed again while the token is unchanged.
 */
export const formatIsTimeless = (format: TokenFormat): boolean => format !== 'json';

export interface FormatOptions {
  user?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
}

/** S73: the token as a bearer credential, or a refusal that never repeats it. */
function credential(token: string, format: TokenFormat): string {
  const value = bearerCredential(token);
  if (value !== undefined) return value;
  throw new CliError(
    `the access token is not a valid bearer token (RFC 6750), so it cannot be written as --format ${format}`,
    EXIT.failure,
    'get a new one with `tokenloop token --force-refresh`, or sign in again with `tokenloop login`',
  );
}

/**
 * Render a token for `tokenloop token --format`. Data only: one line (JSON for `json`), newline-terminated.
 * S73: each format quotes for its consumer (quote.ts): a shell word for `env`, JSON for `json`, and a bearer
 * credential (token68, else refused) wherever the token goes into a header or a SASL string.
 */
export function formatToken(result: AuthResult, format: TokenFormat, opts: FormatOptions = {}): string {
  switch (format) {
    case 'raw':
      return `${credential(result.accessToken, format)}\n`;
    case 'header':
      return `Authorization: Bearer ${credential(result.accessToken, format)}\n`;
    case 'env': {
      const word = shellWord(result.accessToken);
      if (word === undefined)
        throw new CliError(
          'the access token holds a NUL character, which no shell variable can hold',
          EXIT.failure,
        );
      return `export ACCESS_TOKEN=${word}\n`;
    }
    case 'json':
      // Issue 14, finding 8: the one JSON shape, with az's fields (json-shapes.ts).
      return `${jsonLine(tokenJson(result))}\n`;
    case 'xoauth2':
    case 'oauthbearer': {
      const user = opts.user ?? result.account?.username;
      if (!user)
        throw new CliError(
          `--format ${format} needs the mail user`,
          EXIT.usage,
          'pass --user you@example.com',
        );
      const token = credential(result.accessToken, format);
      // Base64 of the SASL string: safe for any consumer once the parts are (the library checks the user).
      return `${format === 'xoauth2' ? xoauth2(user, token) : oauthBearer(user, token, { host: opts.host, port: opts.port })}\n`;
    }
  }
}
