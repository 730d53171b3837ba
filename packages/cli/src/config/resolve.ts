import { profileInUse } from 'tokenloop/cli-state';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { commandArgument } from '../output/quote.js';
import { type Profile, type ProfilesFile, checkProfileName } from './profiles.js';

/** Settings flags can give. */
export interface SettingFlags {
  profile?: string;
  authority?: string;
  issuer?: string;
  clientId?: string;
  scope?: string[];
  port?: number;
  user?: string;
  /** The tenant segment of the Entra authority: `--tenant` as `az login` has it. */
  tenant?: string;
  /** A certificate authority (PEM file) to trust for this provider. */
  caFile?: string;
}

export type Source = 'flag' | 'environment' | 'profile' | 'default';

/** The settings a command runs with, and where each came from (shown by `doctor`). */
export interface Settings {
  profileName: string | undefined;
  /** The profile as saved (undefined when none is in use, or `login --profile NEW` is creating it). */
  profile: Profile | undefined;
  /** The Entra authority this run signs in at (with `--tenant` in it). */
  authority: string | undefined;
  /** The authority as its setting gave it, before `--tenant` (what a login saves: S132). */
  baseAuthority: string | undefined;
  /** `--tenant`: a one-off tenant for this run, never saved in a profile (S132). */
  tenant: string | undefined;
  issuer: string | undefined;
  clientId: string;
  clientSecret: string | undefined;
  certificatePath: string | undefined;
  scopes: string[];
  port: number | undefined;
  user: string | undefined;
  caFile: string | undefined;
  sources: Record<string, Source>;
}

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
/** Scopes asked for when nothing says otherwise: sign-in, a refresh token, and Graph's basic profile. */
export const DEFAULT_SCOPES = ['User.Read'];

/** An Entra authority `https://HOST/TENANT` with another tenant. */
function withTenant(authority: string, tenant: string): string {
  if (!/^[\w.-]+$/.test(tenant))
    throw new CliError(
      `--tenant must be a tenant id or domain, got ${JSON.stringify(tenant)}`,
      EXIT.usage,
      'e.g. `tokenloop login --tenant contoso.onmicrosoft.com`',
    );
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    return authority; // the library names what is wrong with it
  }
  const rest = url.pathname.split('/').filter(Boolean).slice(1);
  url.pathname = `/${[tenant, ...rest].join('/')}`;
  return url.href.replace(/\/+$/, '');
}

/** `--authority` and `--issuer` together are refused (issue 14, finding 7: the same rule as `profile add`). */
function refuseAuthorityWithIssuer(flags: SettingFlags): void {
  if (flags.authority !== undefined && flags.issuer !== undefined)
    throw new CliError(
      'give either --authority (Microsoft Entra ID) or --issuer (any OpenID provider), not both',
      EXIT.usage,
    );
}

/** `login --profile NEW --authority … --client-id …` creates NEW. */
function creatingProfile(flags: SettingFlags, options: { newProfile?: boolean }): boolean {
  return (
    options.newProfile === true &&
    flags.profile !== undefined &&
    flags.clientId !== undefined &&
    (flags.authority !== undefined || flags.issuer !== undefined)
  );
}

/** A profile name that names no saved profile: the error says which profiles there are, and what to do. */
function refuseUnknownProfile(file: ProfilesFile, profileName: string, flags: SettingFlags): never {
  const known = Object.keys(file.profiles);
  const listed = known.length ? ` (profiles: ${known.join(', ')})` : '';
  // Issue 14 (independent eyes), finding 8: TOKENLOOP_PROFILE wins over `profile use`: the fix changes it.
  if (flags.profile === undefined)
    throw new CliError(
      `TOKENLOOP_PROFILE names no profile: "${profileName}"${listed}`,
      EXIT.usage,
      `\`unset TOKENLOOP_PROFILE\` to use the profile in use${file.current !== undefined ? ` (${file.current})` : ''}, or set it to another one: \`export TOKENLOOP_PROFILE=NAME\``,
    );
  checkProfileName(profileName);
  throw new CliError(
    `no profile named "${profileName}"${listed}`,
    EXIT.usage,
    `sign in and save it: \`tokenloop login --profile ${profileName} --authority URL --client-id ID\`, or use another one: \`tokenloop profile use NAME\``,
  );
}

/** The profile in use as saved: undefined when none is in use or `login --profile NEW` is creating it. */
function savedProfile(
  file: ProfilesFile,
  profileName: string | undefined,
  flags: SettingFlags,
  options: { newProfile?: boolean },
): Profile | undefined {
  if (profileName === undefined) return undefined;
  const profile = file.profiles[profileName];
  if (!profile && !creatingProfile(flags, options)) refuseUnknownProfile(file, profileName, flags);
  return profile;
}

/** Picks the first value given (not undefined, not empty) and notes in `sources` where it came from. */
type Pick = <T>(name: string, ...candidates: [Source, T | undefined][]) => T | undefined;

function picker(sources: Record<string, Source>): Pick {
  return function pick<T>(name: string, ...candidates: [Source, T | undefined][]): T | undefined {
    for (const [source, value] of candidates) {
      if (value !== undefined && value !== '') {
        sources[name] = source;
        return value;
      }
    }
    return undefined;
  };
}

/** The provider: an Entra authority (flag, AZURE_TENANT_ID / AZURE_AUTHORITY_HOST, profile) or an issuer. */
function pickProvider(
  flags: SettingFlags,
  env: NodeJS.ProcessEnv,
  profile: Profile | undefined,
  pick: Pick,
): { authority: string | undefined; issuer: string | undefined } {
  const envAuthority = env.AZURE_TENANT_ID
    ? `${(env.AZURE_AUTHORITY_HOST || DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '')}/${env.AZURE_TENANT_ID}`
    : undefined;
  const authority = flags.issuer
    ? undefined
    : pick(
        'authority',
        ['flag', flags.authority],
        ['environment', envAuthority],
        ['profile', profile?.issuer ? undefined : profile?.authority],
      );
  const issuer = authority ? undefined : pick('issuer', ['flag', flags.issuer], ['profile', profile?.issuer]);
  return { authority, issuer };
}

/**
 * `--tenant`: the authority of this run with that tenant. Issue 14, finding 9: the tenant of an Entra
 * authority, whichever setting gave the authority. S132: for this run only (`sources.authority` still says where
 * the authority came from).
 */
function authorityForTenant(
  authority: string | undefined,
  tenant: string | undefined,
  sources: Record<string, Source>,
): string | undefined {
  if (tenant === undefined) return authority;
  if (!authority)
    throw new CliError(
      '--tenant applies to an Entra authority (--authority), not to an issuer',
      EXIT.usage,
      'leave out --tenant, or give the authority: `tokenloop login --authority https://login.microsoftonline.com/TENANT --client-id ID`',
    );
  const withIt = withTenant(authority, tenant);
  sources.tenant = 'flag';
  return withIt;
}

/** No client id, or no provider: the error says how to configure them. */
function refuseMissingSettings(
  file: ProfilesFile,
  profileName: string | undefined,
  given: { clientId: string | undefined; authority: string | undefined; issuer: string | undefined },
  sources: Record<string, Source>,
): never {
  const { clientId } = given;
  // Issue 14 (independent eyes), finding 12: the profile in use was removed, others are left.
  const others = Object.keys(file.profiles);
  if (profileName === undefined && others.length > 0)
    throw new CliError(
      `no profile is in use (profiles: ${others.join(', ')})`,
      EXIT.usage,
      `use one: \`tokenloop profile use ${others[0]}\`${others.length > 1 ? ' (or another of them)' : ''}, or name it each time with --profile`,
    );
  throw new CliError(
    !clientId ? 'no client id configured' : 'no authority configured',
    EXIT.usage,
    missingSettingsFix(given, sources),
  );
}

/**
 * The fix for a missing client id or provider, with what the person did give (the provider or app named by a
 * flag or the environment), placeholders for the rest: URL (the provider), ID (the app), NAME (a profile).
 */
function missingSettingsFix(
  given: { clientId: string | undefined; authority: string | undefined; issuer: string | undefined },
  sources: Record<string, Source>,
): string {
  if (sources.authority === 'environment' && !given.clientId)
    return 'AZURE_TENANT_ID names the provider; name the app (the application (client) id of your app registration) too: sign in with it, which saves it: `tokenloop login --client-id ID`; or set it: `export AZURE_CLIENT_ID=ID`';
  const provider = given.issuer
    ? `--issuer ${commandArgument(given.issuer)}`
    : `--authority ${given.authority ? commandArgument(given.authority) : 'URL'}`;
  const app = `--client-id ${given.clientId ? commandArgument(given.clientId) : 'ID'}`;
  const emulator =
    given.authority || given.issuer
      ? ''
      : '; for a local emulator: `tokenloop profile add NAME --emulator URL` (URL: the address the emulator printed when it started)';
  return `sign in with your provider and app, which saves them: \`tokenloop login ${provider} ${app}\`; or save them first: \`tokenloop profile add NAME ${provider} ${app}\`${emulator}; or set AZURE_TENANT_ID and AZURE_CLIENT_ID`;
}

/**
 * Settings by precedence: flags > environment (the Azure SDK's `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`,
 * `AZURE_AUTHORITY_HOST`, `AZURE_CLIENT_SECRET`, `AZURE_CLIENT_CERTIFICATE_PATH`) > profile > defaults.
 * The profile is `--profile`, else `TOKENLOOP_PROFILE`, else the one chosen with `profile use`.
 */
export function resolveSettings(
  flags: SettingFlags,
  env: NodeJS.ProcessEnv,
  file: ProfilesFile,
  options: { newProfile?: boolean } = {},
): Settings {
  refuseAuthorityWithIssuer(flags);
  const profileName = profileInUse(file, flags.profile, env); // S106: the library's rule
  const profile = savedProfile(file, profileName, flags, options);
  const sources: Record<string, Source> = {};
  const pick = picker(sources);
  const { authority: baseAuthority, issuer } = pickProvider(flags, env, profile, pick);
  const authority = authorityForTenant(baseAuthority, flags.tenant, sources);
  const clientId = pick(
    'clientId',
    ['flag', flags.clientId],
    ['environment', env.AZURE_CLIENT_ID],
    ['profile', profile?.clientId],
  );
  if (!clientId || (!authority && !issuer))
    refuseMissingSettings(file, profileName, { clientId, authority: baseAuthority, issuer }, sources);
  const scopes =
    pick(
      'scopes',
      ['flag', flags.scope?.length ? flags.scope : undefined],
      ['profile', profile?.scopes?.length ? profile.scopes : undefined],
      ['default', DEFAULT_SCOPES],
    ) ?? DEFAULT_SCOPES;
  return {
    profileName,
    profile,
    authority,
    baseAuthority,
    tenant: flags.tenant,
    issuer,
    clientId,
    clientSecret: pick('clientSecret', ['environment', env.AZURE_CLIENT_SECRET]),
    certificatePath: pick('certificatePath', ['environment', env.AZURE_CLIENT_CERTIFICATE_PATH]),
    scopes,
    port: pick('port', ['flag', flags.port], ['profile', profile?.port]),
    user: pick('user', ['flag', flags.user], ['profile', profile?.user]),
    caFile: pick('caFile', ['flag', flags.caFile], ['profile', profile?.caFile]),
    sources,
  };
}
