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

function sameConnection(p: Profile, settings: Settings): boolean {
  return (
    p.clientId === settings.clientId &&
    (settings.authority !== undefined
      ? p.authority === settings.authority && p.issuer === undefined
      : p.issuer === settings.issuer)
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
 * use), as `gh auth login` switches the active account. Returns what to tell the user, and the profile.
 */
export async function rememberLogin(
  configDir: string,
  settings: Settings,
  explicitProfile: string | undefined,
  signedIn: { account: AccountInfo | undefined; accountCount: number },
): Promise<{ said: string[]; profile: string | undefined }> {
  const said: string[] = [];
  const saving = connectionFromFlags(settings);
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
    const profile: Profile = {
      ...kept,
      ...(settings.authority !== undefined
        ? { authority: settings.authority }
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
  if (signedIn.account) profile.account = signedIn.account.homeAccountId;
  // Finding 6: a CA the login had to trust is the provider's: the profile keeps it (as an absolute path).
  if (settings.sources.caFile === 'flag' && settings.caFile !== undefined) {
    profile.caFile = resolve(settings.caFile);
    said.push(`Profile "${name}" trusts the CA certificate ${profile.caFile} from now on.`);
  }
  await writeProfiles(configDir, file);
  if (signedIn.account && signedIn.accountCount > 1)
    said.push(
      `${terminalText(signedIn.account.username ?? signedIn.account.homeAccountId)} is the default account of profile "${name}" (${signedIn.accountCount} accounts are signed in; \`tokenloop account use NAME\` switches).`,
    );
  return { said, profile: name };
}
