import { readFile } from 'node:fs/promises';
import type { HttpOptions, TokenClient } from 'tokenloop';
import { cliCachePath, readProfileCa } from 'tokenloop/cli-state';
import { type CliPaths, cliPaths } from '../config/paths.js';
import { readProfiles } from '../config/profiles.js';
import { type SettingFlags, type Settings, resolveSettings } from '../config/resolve.js';
import { CliError, setContextualFix } from '../errors.js';
import { clientIdentity } from './client-identity.js';
import { setDoctorCommand } from './network-fix.js';
import { REQUEST_TIMEOUT_MS } from '../output/network-wait.js';
import { EXIT } from '../exit-codes.js';

/** The token cache every command shares: the library's rule (tokenloop/cli-state, S106). */
export { cliCachePath as cachePath } from 'tokenloop/cli-state';

/** Settings for this run: flags > environment > profile > defaults. */
export async function loadSettings(
  flags: SettingFlags,
  env: NodeJS.ProcessEnv = process.env,
  options: { newProfile?: boolean } = {},
): Promise<{ settings: Settings; paths: CliPaths }> {
  const paths = cliPaths(env);
  const settings = resolveSettings(flags, env, await readProfiles(paths.config), options);
  // S196: an exit-3 fix names the doctor that tests these settings.
  setDoctorCommand((await import('./login-command.js')).doctorCommand(settings));
  setContextualFix(
    async (err) =>
      (await import('./https-fix.js')).httpsFix(err, settings) ??
      (await (await import('./tls-fix.js')).tlsTrustFix(err, settings)) ??
      (await import('./tenant-fix.js')).tenantFix(err, settings),
  );
  return { settings, paths };
}

/**
 * The library's HTTP options for these settings: the profile's (or --ca-file's) certificate authority, read as a
 * private file (S80: a CA someone else could replace would let them read every token).
 */
export async function httpOptions(settings: Settings): Promise<HttpOptions> {
  return settings.caFile === undefined ? {} : { ca: await readProfileCa(settings.caFile) };
}

async function certificateOf(path: string): Promise<{ privateKey: string; certificate: string }> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read the certificate file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      EXIT.usage,
    );
  }
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!cert || !key) {
    throw new CliError(
      `${path} must hold a PEM certificate and its private key`,
      EXIT.usage,
      'as AZURE_CLIENT_CERTIFICATE_PATH expects: key and certificate in one PEM file',
    );
  }
  return { privateKey: key, certificate: cert };
}

/**
 * A library client for these settings, with the CLI's encrypted file cache; each try of a request waits at
 * most REQUEST_TIMEOUT_MS, `http` adds to that (a retry notice).
 */
export async function makeClient(
  settings: Settings,
  paths: CliPaths,
  http: Pick<HttpOptions, 'onRetry'> = {},
): Promise<TokenClient> {
  const { createTokenClient, encryptedFileStore } = await import('tokenloop/client');
  const cache = encryptedFileStore({ path: cliCachePath(paths) });
  return createTokenClient({
    ...clientIdentity(settings),
    ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
    ...(settings.certificatePath ? { clientCertificate: await certificateOf(settings.certificatePath) } : {}),
    cache,
    http: { timeoutMs: REQUEST_TIMEOUT_MS, ...(await httpOptions(settings)), ...http },
  });
}
