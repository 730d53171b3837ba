import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TokenClient } from 'tokenloop';
import { loginCommand } from '../../client/login-command.js';
import type { Settings } from '../../config/resolve.js';
import { commandArgument } from '../../output/quote.js';
import { type Check, problem } from './check.js';

/**
 * The token cache (its mode, records and where its key comes from) and the accounts signed in; a failure on the
 * way ends them with a failed `token cache` check.
 */
export async function cacheChecks(client: TokenClient, path: string, settings: Settings): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const { encryptedFileStore } = await import('tokenloop');
    const store = encryptedFileStore({ path });
    const records = await store.list();
    const source = await store.keySource();
    const mode = await stat(path)
      .then((s) => (s.mode & 0o777).toString(8))
      .catch(() => undefined);
    checks.push({
      name: 'token cache',
      ok: mode === undefined || mode === '600',
      detail: `${path}: ${mode ? `mode ${mode}, ` : 'not created yet, '}${records.length} record(s), key from ${source === 'keyring' ? 'the OS keyring' : source === 'key-file' ? 'a 0600 key file (no keyring reachable)' : 'configuration'}`,
      ...(mode && mode !== '600' ? { fix: `chmod 600 ${path}` } : {}),
    });
    const accounts = await client.getAccounts();
    checks.push({
      name: 'accounts',
      ok: true,
      detail: accounts.length
        ? accounts.map((a) => a.username ?? a.homeAccountId).join(', ')
        : `none signed in (run \`${loginCommand(settings)}\`)`, // S198: with the flags doctor was given
    });
  } catch (err) {
    checks.push({ name: 'token cache', ok: false, ...(await problem(err)) });
  }
  return checks;
}

/** Damaged copies of the token cache the store moved aside (`tokens.cache.corrupt-…`): named until removed. */
export async function quarantined(cacheFile: string): Promise<Check[]> {
  const names = await readdir(dirname(cacheFile)).catch(() => [] as string[]);
  const aside = names.filter((n) => n.startsWith(`${basename(cacheFile)}.corrupt-`)).sort();
  if (aside.length === 0) return [];
  const files = aside.map((n) => join(dirname(cacheFile), n));
  return [
    {
      name: 'quarantined cache',
      ok: false,
      detail: `${files.join(', ')}: damaged token cache data moved aside (the accounts in it must sign in again)`,
      fix: `look at it if you wish, then delete it: rm ${files.map((f) => commandArgument(f)).join(' ')}`,
    },
  ];
}
