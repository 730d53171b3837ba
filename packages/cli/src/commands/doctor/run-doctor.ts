import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cachePath, httpOptions, loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { cliPaths } from '../../config/paths.js';
import { CliError, describeError, fixFor } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { browserAvailable } from '../login/browser-availability.js';
import { loginCommand } from '../../client/login-command.js';
import { providerWait } from '../../output/network-wait.js';
import { paint, say } from '../../output/terminal.js';
import { commandArgument, jsonLine, terminalText } from '../../output/quote.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

const REGISTRATION_HINTS = [
  'Authentication > Add a platform > "Mobile and desktop applications": add the redirect URIs http://127.0.0.1 and http://localhost',
  'Authentication > Advanced settings: "Allow public client flows" = Yes (device code sign-in)',
  'API permissions: the delegated permissions you ask for (User.Read; for mail: IMAP.AccessAsUser.All, SMTP.Send, offline_access)',
];

/**
 * A failed check's detail and fix: the fix every command gives for the error (errors.ts fixFor: TLS trust with
 * --ca-file, https, a provider that cannot be reached).
 */
async function problem(err: unknown): Promise<{ detail: string; fix?: string }> {
  const fix = await fixFor(err, describeError(err), 'doctor');
  return { detail: describeError(err).message, ...(fix ? { fix } : {}) };
}

/** `tokenloop doctor`: configuration, provider reachability and metadata, app registration, cache and keyring, clock. */
export async function runDoctor(opts: SettingFlags & { json?: boolean }): Promise<void> {
  const checks: Check[] = [];
  let loaded: Awaited<ReturnType<typeof loadSettings>>;
  try {
    loaded = await loadSettings(opts);
  } catch (err) {
    // Issue 14, finding 7: a missing or broken configuration is what doctor reports, not a usage error.
    if (!(err instanceof CliError) || err.exitCode !== EXIT.usage) throw err;
    checks.push({
      name: 'configuration',
      ok: false,
      detail: err.message,
      ...(err.hint ? { fix: err.hint } : {}),
    });
    checks.push(...(await quarantined(cachePath(cliPaths()))));
    return report(checks, opts.json);
  }
  const { settings, paths } = loaded;
  const src = (k: string) => settings.sources[k] ?? 'default';
  checks.push({
    name: 'configuration',
    ok: true,
    detail: `${settings.authority ? `authority ${settings.authority}` : `issuer ${settings.issuer}`} (${src(settings.authority ? 'authority' : 'issuer')}), client ${settings.clientId} (${src('clientId')}), scopes ${settings.scopes.join(' ')} (${src('scopes')})${settings.profileName ? `, profile ${settings.profileName}` : ''}`,
  });
  // Issue 14 (independent eyes), finding 11: a provider slow to answer is named, as login names it.
  const wait = await providerWait(settings);
  const client = await makeClient(settings, paths, { onRetry: wait.onRetry });
  try {
    const started = performance.now();
    try {
      wait.start();
      const server = await client.server().finally(wait.stop);
      checks.push({
        name: 'provider',
        ok: true,
        detail: `discovery of ${server.as.issuer} valid, answered in ${Math.round(performance.now() - started)} ms`,
      });
      const missing = (
        ['authorization_endpoint', 'token_endpoint', 'device_authorization_endpoint'] as const
      ).filter((k) => !server.as[k]);
      checks.push({
        name: 'sign-in methods',
        ok: !missing.includes('token_endpoint'),
        detail: missing.length
          ? `the provider has no ${missing.join(', ')}`
          : browserAvailable()
            ? 'browser sign-in and device code both available'
            : `no display here: \`${loginCommand(settings)}\` prints the sign-in URL and a device code; the URL needs a browser that reaches this machine (ssh -L; \`${loginCommand(settings)} --browser\` waits for the browser only)`,
      });
      const metadataUrl = client.authority.kind === 'oauth2' ? undefined : client.authority.metadataUrl;
      // S62: the probes go through the library's one HTTP client, like every other request.
      const { createHttpFetch } = await import('tokenloop');
      const probeFetch = createHttpFetch({ ...(await httpOptions(settings)), timeoutMs: 10_000 });
      if (metadataUrl) {
        const response = await probeFetch(metadataUrl, { method: 'HEAD' }).catch(() => undefined);
        const date = response?.headers.get('date');
        if (date) {
          const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
          checks.push({
            name: 'clock',
            ok: Math.abs(skew) < 300,
            detail: `this machine is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the provider`,
            ...(Math.abs(skew) >= 300
              ? {
                  fix: 'synchronise the clock (e.g. `timedatectl set-ntp true`): tokens are checked against it',
                }
              : {}),
          });
        }
      }
      if (client.authority.kind === 'entra' && server.as.device_authorization_endpoint) {
        // A device authorization request changes nothing but tells whether Entra knows this app as a public client.
        const probe = await probeFetch(server.as.device_authorization_endpoint, {
          method: 'POST',
          body: new URLSearchParams({ client_id: settings.clientId, scope: 'openid' }),
        }).catch(() => undefined);
        // S188: the answer is off the wire: its description is used only when it is text.
        const body: unknown = await probe?.json().catch(() => undefined);
        const said = (body as { error_description?: unknown } | null | undefined)?.error_description;
        checks.push(
          probe?.ok
            ? { name: 'app registration', ok: true, detail: 'the app exists and allows public client flows' }
            : {
                name: 'app registration',
                ok: false,
                detail:
                  (typeof said === 'string' ? said.split(/\r?\n/)[0] : undefined) ??
                  `device authorization answered HTTP ${probe?.status ?? 'nothing'}`,
                fix: REGISTRATION_HINTS.join('; '),
              },
        );
      }
    } catch (err) {
      checks.push({ name: 'provider', ok: false, ...(await problem(err)) });
    }
    const path = cachePath(paths);
    try {
      const { encryptedFileStore } = await import('tokenloop');
      const store = encryptedFileStore({ path });
      const records = await store.list();
      const source = await store.keySource();
      const mode = await stat(path)
        .then((s) => (s.mode & 0o777).toString(8))
        .catch(() => undefined);
      checks.push({
        name: 'token cache',
        ok: mode === undefined || mode === '600',
        detail: `${path}: ${mode ? `mode ${mode}, ` : 'not created yet, '}${records.length} record(s), key from ${source === 'keyring' ? 'the OS keyring' : source === 'key-file' ? 'a 0600 key file (no keyring reachable)' : 'configuration'}`,
        ...(mode && mode !== '600' ? { fix: `chmod 600 ${path}` } : {}),
      });
      const accounts = await client.getAccounts();
      checks.push({
        name: 'accounts',
        ok: true,
        detail: accounts.length
          ? accounts.map((a) => a.username ?? a.homeAccountId).join(', ')
          : `none signed in (run \`${loginCommand(settings)}\`)`, // S198: with the flags doctor was given
      });
    } catch (err) {
      checks.push({ name: 'token cache', ok: false, ...(await problem(err)) });
    }
    checks.push(...(await quarantined(path)));
  } finally {
    await client.close();
  }
  report(checks, opts.json);
}

/** Damaged copies of the token cache the store moved aside (`tokens.cache.corrupt-…`): named until removed. */
async function quarantined(cacheFile: string): Promise<Check[]> {
  const names = await readdir(dirname(cacheFile)).catch(() => [] as string[]);
  const aside = names.filter((n) => n.startsWith(`${basename(cacheFile)}.corrupt-`)).sort();
  if (aside.length === 0) return [];
  const files = aside.map((n) => join(dirname(cacheFile), n));
  return [
    {
      name: 'quarantined cache',
      ok: false,
      detail: `${files.join(', ')}: damaged token cache data moved aside (the accounts in it must sign in again)`,
      fix: `look at it if you wish, then delete it: rm ${files.map((f) => commandArgument(f)).join(' ')}`,
    },
  ];
}

function report(checks: Check[], json: boolean | undefined): void {
  if (json) process.stdout.write(`${jsonLine({ ok: checks.every((c) => c.ok), checks })}\n`);
  else {
    // S74: details quote what the provider and the cache said.
    for (const c of checks) {
      say(`${c.ok ? paint('green', '✓') : paint('red', '✗')} ${c.name}: ${terminalText(c.detail)}`);
      if (c.fix) say(`    fix: ${terminalText(c.fix)}`);
    }
  }
  if (!checks.every((c) => c.ok)) process.exitCode = EXIT.failure;
}
