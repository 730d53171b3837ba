import type { AccountInfo } from 'tokenloop';
import { terminalText } from '../output/quote.js';
import { readProfiles, writeProfiles } from './profiles.js';
import { sameConnection } from './remember-login.js';
import type { Settings } from './resolve.js';

/**
 * A profile without a default account acts for the only account signed in with its provider and app. A login
 * of a second account there (from another profile of the same provider and app) would leave that profile with
 * two accounts and no default, and its plain `tokenloop token` would stop working. So before that happens, the
 * account such a profile acted for becomes its default: a login in one profile changes no other profile's
 * account. `before` is the accounts signed in with this provider and app before the login. Returns what to say.
 */
export async function keepOtherProfilesAccounts(
  configDir: string,
  settings: Settings,
  loggedInProfile: string | undefined,
  before: AccountInfo[],
  after: AccountInfo[],
): Promise<string[]> {
  const only = before.length === 1 ? before[0]! : undefined;
  if (only === undefined || after.length < 2) return [];
  const file = await readProfiles(configDir);
  const kept = Object.keys(file.profiles).filter((name) => {
    const p = file.profiles[name]!;
    return name !== loggedInProfile && p.account === undefined && sameConnection(p, settings);
  });
  if (kept.length === 0) return [];
  for (const name of kept) file.profiles[name]!.account = only.homeAccountId;
  await writeProfiles(configDir, file);
  const who = terminalText(only.username ?? only.homeAccountId);
  return kept.map(
    (name) =>
      `Profile "${terminalText(name)}" keeps acting for ${who}, now its default account (\`tokenloop account use NAME --profile ${terminalText(name)}\` switches).`,
  );
}
