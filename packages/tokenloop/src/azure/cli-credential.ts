import type { AccountInfo } from '../cache/account.js';
import { encryptedFileStore } from '../cache/stores/encrypted-file-store.js';
import { type TokenClient, createTokenClient } from '../client/create-client.js';
import { cliCachePath, cliConfigFile, cliPaths } from '../cli-state/paths.js';
import { profileAccount } from '../cli-state/profile-account.js';
import { readProfileCa } from '../cli-state/profile-ca.js';
import { profileInUse, readProfiles } from '../cli-state/profiles-file.js';
import { CredentialUnavailableError } from './errors.js';
import { type TokenSource, type TokenloopCredential, getTokenWith } from './token-credential.js';

/** Options of `createCliCredential`. */
export interface CliCredentialOptions {
  /** The profile, as `tokenloop --profile NAME` names it; default: TOKENLOOP_PROFILE, else the one in use. */
  profile?: string;
  /** Where to look: TOKENLOOP_HOME (else the XDG folders) and TOKENLOOP_PROFILE; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Clients kept at once (one per provider, app and CA a profile used); more, and the oldest is closed. */
const MAX_CLIENTS = 8;

const unavailable = (message: string, remediation: string) =>
  new CredentialUnavailableError(`tokenloop: ${message} — ${remediation}`);

/**
 * A TokenCredential with what `tokenloop login` signed in — as the Azure SDK's AzureCliCredential uses `az
 * login`, but in this process, from the command's encrypted token cache (no process to start): the profile in
 * use (S106: found, read and chosen by the command's own rules, tokenloop/cli-state), its provider, app and CA,
 * its default account (else the only one signed in), and the shared token cache, refreshed silently when due.
 * The profile is read again on every call, so a new login or `tokenloop profile use` applies at once.
 *
 * Unavailable (CredentialUnavailableError, so that a chain moves on): no profile, nobody signed in, several
 * accounts and none the default, the sign-in must be renewed, the files are unsafe or unreadable. AZURE_*
 * variables, which the command line lets override a profile, are not read: this credential is the login's.
 *
 * @example
 * ```ts
 * import { createCliCredential } from 'tokenloop/azure';
 * const credential = createCliCredential();
 * const { token } = await credential.getToken('https://graph.microsoft.com/.default');
 * console.log(token.length);
 * await credential.close();
 * ```
 */
export function createCliCredential(options: CliCredentialOptions = {}): TokenloopCredential {
  const clients = new Map<string, TokenClient>();

  async function clientFor(key: string, make: () => TokenClient): Promise<TokenClient> {
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= MAX_CLIENTS) {
        const [oldestKey, oldest] = clients.entries().next().value as [string, TokenClient];
        clients.delete(oldestKey);
        await oldest.close();
      }
      client = make();
      clients.set(key, client);
    }
    return client;
  }

  async function open(): Promise<TokenSource> {
    const env = options.env ?? process.env;
    const paths = cliPaths(env);
    const file = await readProfiles(paths.config);
    const name = profileInUse(file, options.profile, env);
    if (name === undefined)
      throw unavailable(
        `nobody has signed in with \`tokenloop login\` (no profile in ${cliConfigFile(paths.config)})`,
        'sign in: `tokenloop login --authority URL --client-id ID`',
      );
    const profile = file.profiles[name];
    if (!profile)
      throw unavailable(
        `there is no tokenloop profile named "${name}" in ${cliConfigFile(paths.config)}`,
        `sign in and save it: \`tokenloop login --profile ${name} --authority URL --client-id ID\``,
      );
    const login = `sign in: \`tokenloop login --profile ${name}\``;
    const ca = profile.caFile === undefined ? undefined : await readProfileCa(profile.caFile);
    const provider = profile.authority ?? profile.issuer;
    const key = JSON.stringify([provider, profile.clientId, ca ?? '', paths.cache]);
    const client = await clientFor(key, () =>
      createTokenClient({
        ...(profile.authority !== undefined ? { authority: profile.authority } : { issuer: profile.issuer! }),
        clientId: profile.clientId,
        cache: encryptedFileStore({ path: cliCachePath(paths) }),
        ...(ca !== undefined ? { http: { ca } } : {}),
      }),
    );
    const choice = await profileAccount(client, profile);
    if (choice.kind === 'none')
      throw unavailable(`nobody is signed in with tokenloop profile "${name}" (${provider})`, login);
    if (choice.kind === 'several')
      throw unavailable(
        `${choice.accounts.length} accounts are signed in with tokenloop profile "${name}" and none is the default`,
        'choose one: `tokenloop account use NAME`',
      );
    const account: AccountInfo = choice.account;
    return {
      client,
      acquire: (scopes, claims, signal) =>
        client.acquireTokenSilent({
          scopes,
          account,
          ...(claims !== undefined ? { claims } : {}),
          ...(signal ? { signal } : {}),
        }),
      signIn: { remediation: login },
    };
  }

  return {
    getToken: (scopes, opts) => getTokenWith(scopes, opts, open),
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((c) => c.close()));
    },
  };
}
