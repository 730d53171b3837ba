import { loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';

/** `tokenloop accounts`: the accounts signed in for the current client, one per line (or JSON). */
export async function runAccounts(opts: SettingFlags & { json?: boolean }): Promise<void> {
  const { settings, paths } = await loadSettings(opts);
  const client = await makeClient(settings, paths);
  try {
    const accounts = await client.getAccounts();
    if (opts.json) {
      process.stdout.write(`${jsonLine(accounts)}\n`);
      return;
    }
    if (accounts.length === 0) {
      say('No account is signed in. Sign in with `tokenloop login`.');
      return;
    }
    // S74: one line per account, four tab-separated fields, whatever the provider put in them.
    for (const a of accounts)
      process.stdout.write(
        `${[a.username ?? a.localAccountId, a.name ?? '', a.tenantId ?? '', a.homeAccountId].map(terminalText).join('\t')}\n`,
      );
  } finally {
    await client.close();
  }
}
