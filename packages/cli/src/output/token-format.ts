import type { AuthResult } from 'tokenloop';
import { oauthBearer, xoauth2 } from 'tokenloop/mail';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export const TOKEN_FORMATS = ['raw', 'json', 'header', 'env', 'xoauth2', 'oauthbearer'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export interface FormatOptions {
  user?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
}

/** Render a token for `tokenloop token --format`. Data only: one line (JSON for `json`), newline-terminated. */
export function formatToken(result: AuthResult, format: TokenFormat, opts: FormatOptions = {}): string {
  switch (format) {
    case 'raw':
      return `${result.accessToken}\n`;
    case 'header':
      return `Authorization: Bearer ${result.accessToken}\n`;
    case 'env':
      return `export ACCESS_TOKEN='${result.accessToken}'\n`;
    case 'json':
      return `${JSON.stringify({
        access_token: result.accessToken,
        token_type: result.tokenType,
        expires_on: result.expiresOn?.toISOString() ?? null,
        expires_in: result.expiresOn
          ? Math.max(0, Math.floor((result.expiresOn.getTime() - Date.now()) / 1000))
          : null,
        scopes: result.scopes,
        account: result.account
          ? {
              username: result.account.username ?? null,
              home_account_id: result.account.homeAccountId,
              tenant_id: result.account.tenantId ?? null,
            }
          : null,
        from_cache: result.fromCache,
      })}\n`;
    case 'xoauth2':
    case 'oauthbearer': {
      const user = opts.user ?? result.account?.username;
      if (!user)
        throw new CliError(
          `--format ${format} needs the mail user`,
          EXIT.usage,
          'pass --user you@example.com',
        );
      return `${format === 'xoauth2' ? xoauth2(user, result.accessToken) : oauthBearer(user, result.accessToken, { host: opts.host, port: opts.port })}\n`;
    }
  }
}
