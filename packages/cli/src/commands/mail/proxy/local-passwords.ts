import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readPrivateFile, writePrivateFile } from 'tokenloop/private-files';
import { CliError } from '../../../errors.js';
import { EXIT } from '../../../exit-codes.js';

/**
 * The mail proxy's local passwords: what a password-only mail program types to reach an OAuth account
 * through the proxy. Only scrypt hashes are stored (0600, beside the profiles); the OAuth tokens themselves
 * stay in the encrypted token cache.
 */
const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  o: object,
) => Promise<Buffer>;
const PARAMS = { N: 16_384, r: 8, p: 1 };
const FILE = 'mail-proxy-passwords.json';

interface PasswordFile {
  version: 1;
  users: Record<string, string>;
}

export const passwordFilePath = (configDir: string): string => join(configDir, FILE);

/** S82: a secret — only the user's own 0600 file in a folder only they control; a planted one is refused. */
async function readPasswordFile(configDir: string): Promise<PasswordFile> {
  const read = await readPrivateFile(passwordFilePath(configDir), { secret: true });
  if (!read) return { version: 1, users: {} };
  const text = read.data.toString('utf8');
  const parsed = (() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })() as Partial<PasswordFile> | undefined;
  if (
    parsed?.version !== 1 ||
    typeof parsed.users !== 'object' ||
    parsed.users === null ||
    Object.values(parsed.users).some((v) => typeof v !== 'string')
  ) {
    throw new CliError(
      `${passwordFilePath(configDir)} is not a valid mail proxy password file`,
      EXIT.usage,
      'remove it and set the passwords again with `tokenloop mail password USER`',
    );
  }
  return parsed as PasswordFile;
}

/** S84: the one private-file writer (atomic, 0600, never through a link). */
async function writePasswordFile(configDir: string, file: PasswordFile): Promise<void> {
  await writePrivateFile(passwordFilePath(configDir), `${JSON.stringify(file, null, 2)}\n`);
}

async function hash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Sets (or replaces) the local password of `user`; the password itself is never stored. */
export async function setLocalPassword(configDir: string, user: string, password: string): Promise<void> {
  if (password.length < 12)
    throw new CliError('a mail proxy password must be at least 12 characters long', EXIT.usage);
  const file = await readPasswordFile(configDir);
  file.users[user.toLowerCase()] = await hash(password);
  await writePasswordFile(configDir, file);
}

/** Removes `user`'s local password; false when there was none. */
export async function removeLocalPassword(configDir: string, user: string): Promise<boolean> {
  const file = await readPasswordFile(configDir);
  if (!(user.toLowerCase() in file.users)) return false;
  delete file.users[user.toLowerCase()];
  await writePasswordFile(configDir, file);
  return true;
}

/** A checker over the password file as it is now (re-read on every check, so changes apply at once). */
export function localPasswordChecker(
  configDir: string,
): (user: string, password: string) => Promise<boolean> {
  return async (user, password) => {
    const stored = (await readPasswordFile(configDir)).users[user.toLowerCase()];
    const m = stored && /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
    if (!m) {
      await scryptAsync(password, randomBytes(16), 32, PARAMS); // same work for unknown users
      return false;
    }
    const expected = Buffer.from(m[5]!, 'base64');
    const key = await scryptAsync(password, Buffer.from(m[4]!, 'base64'), expected.length, {
      N: Number(m[1]),
      r: Number(m[2]),
      p: Number(m[3]),
    });
    return timingSafeEqual(key, expected);
  };
}

/** A new random password: 24 characters from a URL-safe alphabet (144 bits). */
export const newPassword = (): string => randomBytes(18).toString('base64url');
