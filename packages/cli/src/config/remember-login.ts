import { resolve } from 'node:path';
import type { AccountInfo } from 'tokenloop';
import { terminalText } from '../output/quote.js';
import { type Profile, checkProfileName, readProfiles, writeProfiles } from './profiles.js';
import type { Settings } from './resolve.js';

/** Did the flags of this run name the provider or the app (rather than a profile or the environment)? */
export function connectionFromFlags(settings: Settings): boolean {
  const s = settings.sources;
  return s.authority === 'flag' || s.issuer === 'flag' || s.clientId === 'flag';
}

/** Does a saved profile sign in where these settings do (provider and app; a one-off --tenant aside)? */
export function sameConnection(p: Profile, settings: Settings): boolean {
  return (
    p.clientId === settings.clientId &&
    (settings.baseAuthority !== undefined
      ? p.authority === settings.baseAuthority && p.issuer === undefined
      : p.issuer === settings.issuer)
  );
}

/**
 * S132: do this run's flags sign in somewhere else than the saved profile in use (another provider or app)? Then a
 * login with them must not be saved over that profile: they are a one-off, or another profile's.
 */
export function flagsLeaveProfile(settings: Settings): boolean {
  return (
    settings.profile !== undefined &&
    connectionFromFlags(settings) &&
    !sameConnection(settings.profile, settings)
  );
}

function freeName(taken: Record<string, Profile>): string {
  if (!('default' in taken)) return 'default';
  for (let i = 2; ; i++) if (!(`default-${i}` in taken)) return `default-${i}`;
}

/**
 * Issue 14, finding 1: a login whose provider or app came from flags is remembered as a profile — the one
 * `--profile` named, else a saved profile with the same provider and app, else a new one ("default") — and
 * that profile is put in use, so that the next plain `tokenloop token` works. Settings from the environment
 * (AZURE_*) stay where they are and nothing is written for them.
 * Finding 2: the account just signed in becomes the default account of that profile (or of the profile in
 * use), as `gh auth login` switches the active account — unless it is not the account the login was asked for
 * (`asked: false`, S133). S132: `--tenant` is a one-off: it is never saved, and a login with it changes no
 * profile. Returns what to tell the user, and the profile.
 */
export async function rememberLogin(
  configDir: string,
  settings: Settings,
  explicitProfile: string | undefined,
  signedIn: { account: AccountInfo | undefined; accountCount: number; asked: boolean },
): Promise<{ said: string[]; profile: string | undefined }> {
  const said: string[] = [];
  const saving = connectionFromFlags(settings);
  if (!saving && settings.tenant !== undefined && settings.profileName !== undefined) {
    said.push(
      `Signed in at tenant ${settings.tenant} for commands that name it (--tenant ${settings.tenant}); profile "${settings.profileName}" is unchanged.`,
    );
    return { said, profile: settings.profileName };
  }
  if (!saving && (settings.profileName === undefined || settings.profile === undefined))
    return { said, profile: undefined };
  if (explicitProfile !== undefined) checkProfileName(explicitProfile);
  const file = await readProfiles(configDir);
  let name = settings.profileName!;
  if (saving) {
    const current = file.current !== undefined ? file.profiles[file.current] : undefined;
    name =
      explicitProfile ??
      (current && sameConnection(current, settings)
        ? file.current!
        : Object.keys(file.profiles).find((n) => sameConnection(file.profiles[n]!, settings))) ??
      freeName(file.profiles);
    const kept: Partial<Profile> = { ...file.profiles[name] };
    delete kept.authority;
    delete kept.issuer;
    // A default account is the profile's own: kept while the profile still signs in where it did.
    const saved = file.profiles[name];
    const same = saved !== undefined && sameConnection(saved, settings);
    if (!same) delete kept.account;
    const profile: Profile = {
      ...kept,
      ...(settings.baseAuthority !== undefined
        ? { authority: settings.baseAuthority }
        : { issuer: settings.issuer! }),
      clientId: settings.clientId,
    };
    if (settings.sources.scopes === 'flag') profile.scopes = settings.scopes;
    if (settings.sources.port === 'flag' && settings.port !== undefined) profile.port = settings.port;
    if (settings.sources.user === 'flag' && settings.user !== undefined) profile.user = settings.user;
    const previous = file.current;
    file.profiles[name] = profile;
    file.current = name;
    const back =
      previous !== undefined && previous !== name && previous in file.profiles
        ? ` To go back: \`tokenloop profile use ${previous}\`.`
        : '';
    said.push(`Saved as profile "${name}", now in use: plain \`tokenloop token\` needs no flags.${back}`);
  }
  const profile = file.profiles[name];
  if (!profile) return { said, profile: undefined }; // removed meanwhile
  // S132: a login at a one-off tenant makes nobody the default of the profile; S133: nor one of someone else.
  const makeDefault = signedIn.account !== undefined && signedIn.asked && settings.tenant === undefined;
  if (makeDefault) profile.account = signedIn.account!.homeAccountId;
  // Finding 6: a CA the login had to trust is the provider's: the profile keeps it (as an absolute path).
  if (settings.sources.caFile === 'flag' && settings.caFile !== undefined) {
    profile.caFile = resolve(settings.caFile);
    said.push(`Profile "${name}" trusts the CA certificate ${profile.caFile} from now on.`);
  }
  await writeProfiles(configDir, file);
  if (makeDefault && signedIn.accountCount > 1)
    said.push(
      `${terminalText(signedIn.account!.username ?? signedIn.account!.homeAccountId)} is the default account of profile "${name}" (${signedIn.accountCount} accounts are signed in; \`tokenloop account use NAME --profile ${name}\` switches).`,
    );
  return { said, profile: name };
}
