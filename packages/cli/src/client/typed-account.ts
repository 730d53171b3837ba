import type { AccountInfo, TokenClient } from 'tokenloop';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/**
 * The account a person named on the command line (`--account`, `logout ACCOUNT`) or in a mail program's login:
 * an account id, or a username that must name exactly one signed-in account of this issuer (S71). Undefined
 * when nothing was named. None matches: the library's ACCOUNT_NOT_FOUND (sign-in required, exit 4). Several
 * match: a usage error listing them, with `hint` saying what to do. With `prefix` (what a person types on
 * the command line, never a mail program's login), the start of exactly one username names that account.
 */
export async function typedAccount(
  client: TokenClient,
  name: string | undefined,
  hint = 'name one by its id: `tokenloop token --account ID`',
  options: { prefix?: boolean } = {},
): Promise<AccountInfo | undefined> {
  if (name === undefined) return undefined;
  if (name.trim() === '')
    throw new CliError('an empty account name', EXIT.usage, 'give a username or an account id');
  try {
    // Issue 14, finding 2: `--account bob` names bob@… when exactly one username of this issuer starts so.
    return await client.findAccountByTypedName(name, { prefix: options.prefix === true });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'INVALID_ARGUMENT' && e.message) throw new CliError(e.message, EXIT.usage, hint);
    throw err;
  }
}
