import { cachePath, loadSettings, makeClient } from '../../client/make-client.js';
import type { Settings, SettingFlags } from '../../config/resolve.js';
import { cliPaths } from '../../config/paths.js';
import { CliError } from '../../errors.js';
import { EXIT, type ExitCode } from '../../exit-codes.js';
import { providerWait } from '../../output/network-wait.js';
import { cacheChecks, quarantined } from './cache-checks.js';
import type { Check } from './check.js';
import { reportChecks } from './doctor-report.js';
import { providerChecks } from './provider-checks.js';

/**
 * `tokenloop doctor`: configuration, provider reachability and metadata, app registration, cache and keyring,
 * clock. Returns its exit code: 1 when a check failed.
 */
export async function runDoctor(opts: SettingFlags & { json?: boolean }): Promise<ExitCode> {
  let loaded: Awaited<ReturnType<typeof loadSettings>>;
  try {
    loaded = await loadSettings(opts);
  } catch (err) {
    // A missing or broken configuration is what doctor reports, not a usage error.
    if (!(err instanceof CliError) || err.exitCode !== EXIT.usage) throw err;
    const configuration: Check = {
      name: 'configuration',
      ok: false,
      detail: err.message,
      ...(err.hint ? { fix: err.hint } : {}),
    };
    return reportChecks([configuration, ...(await quarantined(cachePath(cliPaths())))], opts.json);
  }
  const { settings, paths } = loaded;
  const checks: Check[] = [{ name: 'configuration', ok: true, detail: configurationDetail(settings) }];
  // A provider slow to answer is named, as login names it.
  const wait = await providerWait(settings);
  const client = await makeClient(settings, paths, { onRetry: wait.onRetry });
  try {
    checks.push(...(await providerChecks(client, settings, wait)));
    const path = cachePath(paths);
    checks.push(...(await cacheChecks(client, path, settings)));
    checks.push(...(await quarantined(path)));
  } finally {
    await client.close();
  }
  return reportChecks(checks, opts.json);
}

/** Where the provider, the client and the scopes come from (flag, environment, profile or default). */
function configurationDetail(settings: Settings): string {
  const src = (k: string) => settings.sources[k] ?? 'default';
  return `${settings.authority ? `authority ${settings.authority}` : `issuer ${settings.issuer}`} (${src(settings.authority ? 'authority' : 'issuer')}), client ${settings.clientId} (${src('clientId')}), scopes ${settings.scopes.join(' ')} (${src('scopes')})${settings.profileName ? `, profile ${settings.profileName}` : ''}`;
}
