import { TokenloopError } from '../errors/errors.js';
import {
  type PrivateFileContent,
  readPrivateFile,
  readPrivateFileSync,
} from '../private-files/read-private-file.js';
import { cliConfigFile } from './paths.js';

/** One named app/identity configuration of the tokenloop command. */
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
   * chosen with `tokenloop account use`.
   */
  account?: string;
  /** A certificate authority (PEM file) to trust for this provider, beside the system's. */
  caFile?: string;
}

/** The profiles file (`config.json`), version 1. */
export interface ProfilesFile {
  version: 1;
  current?: string | undefined;
  profiles: Record<string, Profile>;
}

const configError = (message: string, remediation?: string) =>
  new TokenloopError('CONFIGURATION', message, remediation === undefined ? undefined : { remediation });

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function parseProfile(name: string, v: unknown, file: string): Profile {
  const bad = (what: string) =>
    configError(
      `profile "${name}" in ${file}: ${what}`,
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

/** What reading the profiles file gave: its content (undefined: no file), or the error. */
type ReadOutcome = { read: PrivateFileContent | undefined } | { error: unknown };

/**
 * Read `config.json` from the config directory; a missing file is an empty configuration. Only the user's own
 * file in a folder only they control is read (S80, S81): a planted one could send sign-ins elsewhere. S106:
 * the one reader of the profiles file, for the command line and tokenloop/azure alike. Problems are
 * `CONFIGURATION` errors naming the file and the fix (`UNSAFE_FILE` from the private-file rules).
 */
export async function readProfiles(configDir: string): Promise<ProfilesFile> {
  const file = cliConfigFile(configDir);
  let outcome: ReadOutcome;
  try {
    outcome = { read: await readPrivateFile(file) };
  } catch (error) {
    outcome = { error };
  }
  return profilesOf(file, outcome);
}

/** `readProfiles` with synchronous reads (S125: the same reader and rules), for the CLI's `token` fast path. */
export function readProfilesSync(configDir: string): ProfilesFile {
  const file = cliConfigFile(configDir);
  let outcome: ReadOutcome;
  try {
    outcome = { read: readPrivateFileSync(file) };
  } catch (error) {
    outcome = { error };
  }
  return profilesOf(file, outcome);
}

function profilesOf(file: string, outcome: ReadOutcome): ProfilesFile {
  if ('error' in outcome) {
    const err = outcome.error;
    if ((err as { code?: unknown }).code === 'UNSAFE_FILE') throw err; // the library's message and fix
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (!outcome.read) return { version: 1, profiles: {} };
  const text = outcome.read.data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw configError(`${file} is not valid JSON`, 'fix it by hand or delete it to start over');
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > 1)
    throw configError(
      `${file} was written by a newer tokenloop (configuration version ${version}); this one reads version 1`,
      'upgrade tokenloop (`npm install --global tokenloop@latest`), or use another folder: TOKENLOOP_HOME=DIR',
    );
  if (typeof value !== 'object' || value === null || version !== 1) {
    throw configError(`${file} is not a tokenloop configuration (version 1)`);
  }
  const v = value as { current?: unknown; profiles?: unknown };
  const profiles: Record<string, Profile> = {};
  if (typeof v.profiles === 'object' && v.profiles !== null) {
    for (const [name, p] of Object.entries(v.profiles)) profiles[name] = parseProfile(name, p, file);
  }
  return { version: 1, current: typeof v.current === 'string' ? v.current : undefined, profiles };
}

/**
 * The name of the profile in use: the one named (the command's `--profile`), else `TOKENLOOP_PROFILE`, else
 * the one chosen with `tokenloop profile use` (or put in use by the last login). Undefined: none (S106).
 */
export function profileInUse(
  file: ProfilesFile,
  named: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return named ?? env.TOKENLOOP_PROFILE ?? file.current;
}
