// What `tokenloop token` asks for and prints, in one place for both ways of answering it: the full command
// (run-token.ts) and the fast path for a cached token (src/fast-path).
import type { AccountInfo, AuthResult, TokenClient } from 'tokenloop';
import type { SettingFlags, Settings } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { TOKEN_FORMATS, type TokenFormat, formatToken } from '../../output/token-format.js';

export interface TokenOptions extends SettingFlags {
  /** An Entra resource (`https://outlook.office.com`): asks for its `.default` scope. */
  resource?: string;
  format?: string;
  /** Which signed-in account (username or id) when there are several. */
  account?: string;
  /** Refresh even if the cached token is still fresh. */
  forceRefresh?: boolean;
}

/** The output format asked for (default raw); a usage error for any other, before anything is read. */
export function tokenFormat(opts: TokenOptions): TokenFormat {
  const format = (opts.format ?? 'raw') as TokenFormat;
  if (!TOKEN_FORMATS.includes(format)) {
    throw new CliError(
      `unknown --format ${JSON.stringify(opts.format)}`,
      EXIT.usage,
      `use one of ${TOKEN_FORMATS.join(', ')}`,
    );
  }
  if (opts.resource !== undefined && opts.scope?.length)
    throw new CliError('give --scope or --resource, not both', EXIT.usage);
  return format;
}

/**
 * The scopes of the request: `--resource`'s `.default` scope, else the settings' (flag, profile, default). The
 * resource is kept as given, as the Azure CLI keeps it: `https://management.core.windows.net/` asks for
 * `https://management.core.windows.net//.default`, whose token's `aud` keeps the slash.
 */
export function tokenScopes(opts: TokenOptions, settings: Settings): string[] {
  return opts.resource !== undefined ? [`${opts.resource}/.default`] : settings.scopes;
}

type TokenRequest = {
  account: AccountInfo | undefined;
  scopes: string[];
  format: TokenFormat;
  forceRefresh?: boolean | undefined;
  user: string | undefined;
};

/** The account's token for the scopes, from the cache or renewed by the client. */
function tokenResult(client: TokenClient, request: TokenRequest): Promise<AuthResult> {
  return client.acquireTokenSilent({
    scopes: request.scopes,
    ...(request.account ? { account: request.account } : {}),
    ...(request.forceRefresh ? { forceRefresh: true } : {}),
  });
}

/** The account's token for the scopes, from the cache or renewed by the client, as the format prints it. */
export async function tokenText(client: TokenClient, request: TokenRequest): Promise<string> {
  const result = await tokenResult(client, request);
  return formatToken(result, request.format, { user: request.user });
}

/** tokenText, with when the client will renew the token (from then on it prints another). */
export async function tokenAnswer(
  client: TokenClient,
  request: TokenRequest,
): Promise<{ text: string; refreshOn: Date }> {
  const result = await tokenResult(client, request);
  return { text: formatToken(result, request.format, { user: request.user }), refreshOn: result.refreshOn };
}
