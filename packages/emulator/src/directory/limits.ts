import type { App, Directory } from './model.js';
import { DirectoryConfigError } from '../errors/directory-config-error.js';
import { DirectoryFullError } from '../errors/directory-full-error.js';

/**
 * S93: what the emulator's directory may hold, whoever adds to it — its config file, the admin API (which any
 * local user can reach: the emulator is a loopback test tool) or the programmatic handle. Far above what a test
 * suite registers; low enough that no caller can take the emulator's memory.
 */
export const DIRECTORY_LIMITS = {
  tenants: 100,
  apps: 1000,
  users: 5000,
  certificatesPerApp: 20,
  /** Entra's own bound: 20 federated identity credentials per app (S138). */
  federatedCredentialsPerApp: 20,
  /** What the entries added while the emulator runs (tenants, apps, users, certificates) take in all, as JSON. */
  addedBytes: 8 * 1024 * 1024,
} as const;

export type DirectoryEntryKind = 'tenants' | 'apps' | 'users' | 'certificates';

const added = new WeakMap<Directory, number>();
const AFRESH = 'restart the emulator to start afresh, or register what the tests need in its config file';

/**
 * S93: the one check before anything is added to a running emulator's directory: refuses (DirectoryFullError)
 * what would pass a count or the byte budget, else counts `entry` against the budget. Call it after the entry
 * was built and checked, right before it is stored.
 */
export function takeRoom(dir: Directory, kind: DirectoryEntryKind, entry: unknown, app?: App): void {
  const count =
    kind === 'certificates'
      ? (app?.credentials.filter((c) => c.certificatePem !== undefined).length ?? 0)
      : dir[kind].size;
  const max = kind === 'certificates' ? DIRECTORY_LIMITS.certificatesPerApp : DIRECTORY_LIMITS[kind];
  if (count >= max) {
    const where = kind === 'certificates' ? ' per app' : '';
    throw new DirectoryFullError(`the directory holds at most ${max} ${kind}${where}; ${AFRESH}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(entry) ?? '');
  const used = added.get(dir) ?? 0;
  if (used + bytes > DIRECTORY_LIMITS.addedBytes) {
    throw new DirectoryFullError(
      `what was added to the directory while the emulator runs may take at most ${DIRECTORY_LIMITS.addedBytes / (1024 * 1024)} MiB in all (as JSON); ${AFRESH}`,
    );
  }
  added.set(dir, used + bytes);
}

/** S93: a config past the counts is refused at start, saying which. */
export function checkConfigLimits(config: {
  tenants: unknown[];
  apps: { name: string; certificates?: unknown[] | undefined }[];
  users: unknown[];
}): void {
  for (const kind of ['tenants', 'apps', 'users'] as const) {
    if (config[kind].length > DIRECTORY_LIMITS[kind])
      throw new DirectoryConfigError(
        `the config has ${config[kind].length} ${kind}; the emulator holds at most ${DIRECTORY_LIMITS[kind]} ${kind}`,
      );
  }
  for (const app of config.apps) {
    if ((app.certificates?.length ?? 0) > DIRECTORY_LIMITS.certificatesPerApp)
      throw new DirectoryConfigError(
        `app ${app.name}: the emulator holds at most ${DIRECTORY_LIMITS.certificatesPerApp} certificates per app`,
      );
  }
}
