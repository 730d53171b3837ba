import { type AccountInfo, toAccountInfo } from '../cache/account.js';
import { parseExportedAccount } from '../cache/export-import.js';
import { TokenloopError } from '../errors/errors.js';
import type { AccountLookup, AccountSelector } from './account-lookup.js';
import { type ClientContext, keyOf } from './client-context.js';

/** Forget an account and all its tokens: exactly this account's record, re-checked under the store's lock (S70). */
export async function removeAccount(
  c: ClientContext,
  accounts: AccountLookup,
  selector: AccountSelector,
): Promise<boolean> {
  const key = accounts.keyOf(selector);
  const id = typeof selector === 'string' ? selector : selector.homeAccountId;
  accounts.forget();
  return c.store.transact(key, async (current) => {
    const exact = current?.account.homeAccountId === id && current.clientId === c.clientId;
    return { next: exact ? null : undefined, result: exact };
  });
}

/** Add an exported account to this client's cache, under the key its account has here (S70). */
export async function importAccount(
  c: ClientContext,
  accounts: AccountLookup,
  text: string,
): Promise<AccountInfo> {
  const record = parseExportedAccount(text);
  if (record.clientId !== c.clientId || record.account.environment !== c.authority.environment) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      `this export belongs to client ${record.clientId} at ${record.account.environment}, not to this client`,
    );
  }
  accounts.forget();
  // Stored under the key its account has here, whatever key the export claims (S70).
  const key = keyOf(c, record.account.homeAccountId);
  await c.store.transact(key, async () => ({ next: { ...record, key }, result: undefined }));
  return toAccountInfo(record.account);
}
