import { join } from 'node:path';
import { readPrivateFile, writePrivateFile } from 'tokenloop/private-files';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/** One named app/identity configuration. */
export interface Profile {
  /** Entra authority `https://HOST/TENANT` (or the emulator's). */
  authority?: string;
  /** Any OpenID Provider's issuer (instead of `authority`). */
  issuer?: string;
  clientId: string;
  /** Scopes for `login` and the default for `token`. */
  scopes?: string[];
  /** Fixed loopback port for browser sign-in (some registrations need it). */
  port?: number;
  /** Default mail user for xoauth2/oauthbearer and `mail` commands. */
  user?: string;
  /**
   * The default account (its homeAccountId) when several are signed in: the last one signed in, or the one
   * chosen with `tokenloop account use` (issue 14, finding 2).
   */
  account?: string;
  /** A certificate authority (PEM file) to trust for this provider, beside the system's (issue 14, finding 6). */
  caFile?: string;
}

export interface ProfilesFile {
  version: 1;
  current?: string | undefined;
  profiles: Record<string, Profile>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkProfileName(name: string): void {
  if (!NAME.test(name))
    throw new CliError(
      `invalid profile name ${JSON.stringify(name)}`,
      EXIT.usage,
      'use letters, digits, ".", "_" and "-" (at most 64)',
    );
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function parseProfile(name: string, v: unknown, file: string): Profile {
  const bad = (what: string) =>
    new CliError(
      `profile "${name}" in ${file}: ${what}`,
      EXIT.usage,
      'fix the file or remove the profile with `tokenloop profile remove`',
    );
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not an object');
  const p = v as Record<string, unknown>;
  if (typeof p.clientId !== 'string' || !p.clientId) throw bad('clientId missing');
  if (p.authority !== undefined && typeof p.authority !== 'string') throw bad('authority must be a string');
  if (p.issuer !== undefined && typeof p.issuer !== 'string') throw bad('issuer must be a string');
  if (p.scopes !== undefined && !isStringArray(p.scopes)) throw bad('scopes must be a list of strings');
  if (
    p.port !== undefined &&
    !(Number.isInteger(p.port) && (p.port as number) >= 0 && (p.port as number) <= 65_535)
  )
    throw bad('port must be 0–65535');
  if (p.user !== undefined && typeof p.user !== 'string') throw bad('user must be a string');
  if (p.account !== undefined && typeof p.account !== 'string') throw bad('account must be a string');
  if (p.caFile !== undefined && typeof p.caFile !== 'string') throw bad('caFile must be a string');
  return {
    clientId: p.clientId,
    ...(p.authority !== undefined ? { authority: p.authority as string } : {}),
    ...(p.issuer !== undefined ? { issuer: p.issuer as string } : {}),
    ...(p.scopes !== undefined ? { scopes: p.scopes as string[] } : {}),
    ...(p.port !== undefined ? { port: p.port as number } : {}),
    ...(p.user !== undefined ? { user: p.user as string } : {}),
    ...(p.account !== undefined ? { account: p.account as string } : {}),
    ...(p.caFile !== undefined ? { caFile: p.caFile as string } : {}),
  };
}

/**
 * Read `config.json` from the config directory; a missing file is an empty configuration. Only the user's own
 * file in a folder only they control is read (S80, S81): a planted one could send sign-ins elsewhere.
 */
export async function readProfiles(configDir: string): Promise<ProfilesFile> {
  const file = join(configDir, 'config.json');
  let text: string;
  try {
    const read = await readPrivateFile(file);
    if (!read) return { version: 1, profiles: {} };
    text = read.data.toString('utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'UNSAFE_FILE') throw err; // the library's message and fix
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, EXIT.usage, 'fix it by hand or delete it to start over');
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > 1)
    throw new CliError(
      `${file} was written by a newer tokenloop (configuration version ${version}); this one reads version 1`,
      EXIT.usage,
      'upgrade tokenloop (`npm install --global tokenloop@latest`), or use another folder: TOKENLOOP_HOME=DIR',
    );
  if (typeof value !== 'object' || value === null || version !== 1) {
    throw new CliError(`${file} is not a tokenloop configuration (version 1)`, EXIT.usage);
  }
  const v = value as { current?: unknown; profiles?: unknown };
  const profiles: Record<string, Profile> = {};
  if (typeof v.profiles === 'object' && v.profiles !== null) {
    for (const [name, p] of Object.entries(v.profiles)) profiles[name] = parseProfile(name, p, file);
  }
  return { version: 1, current: typeof v.current === 'string' ? v.current : undefined, profiles };
}

/** Write `config.json` with the one private-file writer (S84: atomic, 0600, never through a link; folder 0700). */
export async function writeProfiles(configDir: string, data: ProfilesFile): Promise<void> {
  await writePrivateFile(join(configDir, 'config.json'), `${JSON.stringify(data, null, 2)}\n`);
}
