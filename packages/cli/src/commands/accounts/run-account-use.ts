import { loadSettings, makeClient } from '../../client/make-client.js';
import { readProfiles, writeProfiles } from '../../config/profiles.js';
import { connectionFromFlags, flagsLeaveProfile } from '../../config/remember-login.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { commandArgument, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';
import { loginCommand, loginHintFor, signInRequired } from '../../client/login-command.js';
import { typedAccount } from '../../client/typed-account.js';

/**
 * `tokenloop account use NAME`: make a signed-in account the default of the profile in
 * use (or `--profile`), so that `token` and `whoami` act for it without `--account`.
 */
export async function runAccountUse(name: string, opts: SettingFlags): Promise<void> {
  const { settings, paths } = await loadSettings(opts);
  if (settings.profileName === undefined || settings.profile === undefined)
    throw new CliError(
      'default accounts are kept per profile, and no profile is in use',
      EXIT.usage,
      connectionFromFlags(settings)
        ? `sign in with these settings, which saves them as a profile: \`${loginCommand(settings)}\``
        : 'save the settings as a profile: `tokenloop profile add NAME --authority URL --client-id ID`',
    );
  // S132: a profile's default is an account of that profile; a one-off tenant, provider or app is somewhere else.
  if (settings.tenant !== undefined || flagsLeaveProfile(settings))
    throw new CliError(
      `account use sets the default account of profile "${settings.profileName}", and --tenant, --authority, --issuer or --client-id name another place to sign in`,
      EXIT.usage,
      `leave them out: \`tokenloop account use ${commandArgument(name)} --profile ${settings.profileName}\`, or name the account each time with --account`,
    );
  const client = await makeClient(settings, paths);
  try {
    // S131: only an account usable in the profile (the library's rule) can be its default.
    const account = await typedAccount(
      client,
      name,
      `name one by its id: \`tokenloop account use ID --profile ${settings.profileName}\` (ids: \`tokenloop accounts --profile ${settings.profileName}\`)`,
      { prefix: true },
    ).catch((err: unknown) => {
      // Issue 14 (independent eyes), finding 7: the fix signs that person in, in this profile.
      throw signInRequired(err, settings, { loginHint: loginHintFor(undefined, name) }) ?? err;
    });
    const file = await readProfiles(paths.config);
    const profile = file.profiles[settings.profileName];
    if (!account || !profile)
      throw new CliError(`profile "${settings.profileName}" was removed meanwhile`, EXIT.usage);
    profile.account = account.homeAccountId;
    await writeProfiles(paths.config, file);
    say(
      `${terminalText(account.username ?? account.homeAccountId)} is now the default account of profile "${settings.profileName}".`,
    );
  } finally {
    await client.close();
  }
}
