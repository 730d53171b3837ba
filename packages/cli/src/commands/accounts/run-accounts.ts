import { loadSettings, makeClient } from '../../client/make-client.js';
import { defaultAccount } from '../../client/account-choice.js';
import { loginCommand } from '../../client/login-command.js';
import type { SettingFlags } from '../../config/resolve.js';
import { accountJson } from '../../output/json-shapes.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';

/** `tokenloop accounts`: the accounts signed in for the current client, one per line (or JSON). */
export async function runAccounts(opts: SettingFlags & { json?: boolean }): Promise<void> {
  const { settings, paths } = await loadSettings(opts);
  const client = await makeClient(settings, paths);
  try {
    // S131: the accounts usable here (the library's rule), and the one `token` and `whoami` act for without
    // --account: the same rule as theirs.
    const accounts = await client.getAccounts();
    const byDefault = await defaultAccount(client, settings);
    if (opts.json) {
      process.stdout.write(
        `${jsonLine(accounts.map((a) => ({ ...accountJson(a), default: a.homeAccountId === byDefault?.homeAccountId })))}\n`,
      );
      return;
    }
    if (accounts.length === 0) {
      // S198: the login that signs in where this command looked (its profile and flags).
      say(`No account is signed in. Sign in with \`${terminalText(loginCommand(settings))}\`.`);
      return;
    }
    // S74: one line per account, four tab-separated fields, whatever the provider put in them.
    for (const a of accounts)
      process.stdout.write(
        `${[a.username ?? a.localAccountId, a.name ?? '', a.tenantId ?? '', a.homeAccountId].map(terminalText).join('\t')}\n`,
      );
    // S131: how to switch, in the profile these accounts are listed for.
    const use = `\`tokenloop account use NAME${settings.profileName !== undefined ? ` --profile ${settings.profileName}` : ''}\``;
    if (accounts.length > 1)
      say(
        byDefault
          ? `Default: ${terminalText(byDefault.username ?? byDefault.homeAccountId)} (switch with ${use}).`
          : `No default account: choose one with ${use}, or pass --account NAME.`,
      );
  } finally {
    await client.close();
  }
}
