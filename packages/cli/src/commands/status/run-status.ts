import type { AccountInfo, AccountRecord, TokenClient } from 'tokenloop';
import { cachePath } from '../../client/make-client.js';
import { profileInUse } from 'tokenloop/cli-state';
import { cliPaths } from '../../config/paths.js';
import { readProfiles } from '../../config/profiles.js';
import { type SettingFlags, type Settings, resolveSettings } from '../../config/resolve.js';
import { describeError } from '../../errors.js';
import { type AccountJson, accountJson, isoTime } from '../../output/json-shapes.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { relativeTime } from '../../output/relative-time.js';
import { defaultAccount } from '../../client/account-choice.js';
import { loginCommand } from '../../client/login-command.js';

/** One token as `status` shows it: never the token itself. */
interface TokenView {
  resource: string;
  scopes: string[];
  expiresAt: string | null;
}

interface AccountView extends AccountJson {
  default: boolean;
  refreshToken: boolean;
  tokens: TokenView[];
}

interface ProfileView {
  /** null: the settings of this run come from flags or the environment, not a profile. */
  name: string | null;
  current: boolean;
  authority?: string | undefined;
  issuer?: string | undefined;
  clientId: string;
  accounts: AccountView[];
  /** How to sign in to it. */
  login: string;
  error?: string;
}

async function viewOf(
  name: string | null,
  current: boolean,
  settings: Settings,
  makeClient: (s: Settings) => Promise<TokenClient>,
  records: AccountRecord[],
): Promise<ProfileView> {
  const view: ProfileView = {
    name,
    current,
    ...(settings.authority !== undefined ? { authority: settings.authority } : { issuer: settings.issuer }),
    clientId: settings.clientId,
    accounts: [],
    login: loginCommand(settings),
  };
  let client: TokenClient;
  try {
    client = await makeClient(settings);
  } catch (err) {
    return { ...view, error: describeError(err).message };
  }
  // S131: the accounts usable in this profile and its default, by the rules token uses.
  const accounts: AccountInfo[] = await client.getAccounts();
  const byDefault = await defaultAccount(client, settings);
  for (const a of accounts) {
    const record = records.find(
      (r) =>
        r.clientId === settings.clientId &&
        r.account.homeAccountId === a.homeAccountId &&
        r.account.environment === a.environment,
    );
    view.accounts.push({
      ...accountJson(a),
      default: a.homeAccountId === byDefault?.homeAccountId,
      refreshToken: record?.refreshToken !== undefined,
      tokens: (record?.accessTokens ?? []).map((t) => ({
        resource: t.resource,
        scopes: t.scopes,
        expiresAt: isoTime(t.expiresAt),
      })),
    });
  }
  return view;
}

function text(views: ProfileView[], now: number): string {
  const lines: string[] = [];
  if (views.length === 0)
    lines.push(
      'No profile yet: sign in with `tokenloop login --authority URL --client-id ID` or add one with `tokenloop profile add`.',
    );
  for (const v of views) {
    const label = v.name ?? '(flags and environment)';
    lines.push(`${v.current ? '*' : ' '} ${label}${v.current ? ' (in use)' : ''}`);
    lines.push(
      `    ${v.authority !== undefined ? `authority ${v.authority}` : `issuer ${v.issuer}`}, client ${v.clientId}`,
    );
    if (v.error) lines.push(`    cannot be used: ${terminalText(v.error)}`);
    else if (v.accounts.length === 0) lines.push(`    no account signed in: \`${v.login}\``);
    for (const a of v.accounts) {
      // S74: usernames, tenants and scopes are the provider's.
      lines.push(
        `    ${terminalText(a.username ?? a.homeAccountId)}${a.default ? ' (default)' : ''}${a.tenantId ? `, tenant ${terminalText(a.tenantId)}` : ''}`,
      );
      for (const t of a.tokens) {
        const expiry =
          t.expiresAt === null
            ? 'expiry unknown'
            : Date.parse(t.expiresAt) <= now
              ? `expired ${relativeTime(Date.parse(t.expiresAt) - now)}`
              : `expires ${relativeTime(Date.parse(t.expiresAt) - now)}`;
        lines.push(
          `      ${terminalText(t.resource || '(default resource)')}: ${terminalText(t.scopes.join(' '))} — ${expiry}`,
        );
      }
      lines.push(
        // Read from the cache only: kept is all status knows, not whether the provider still honours it.
        `      refresh token: ${a.refreshToken ? 'cached (renews silently while the provider honours it; one revoked, or voided by an emulator restart, asks for sign-in at the next renewal)' : 'no (sign in again when these expire)'}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `tokenloop status`, like `gh auth status`: each profile with its provider and app, the
 * accounts signed in (the default marked), their tenant, and each cached token's scopes and expiry. Offline:
 * it reads the configuration and the token cache only, and never shows a token.
 */
export async function runStatus(opts: SettingFlags & { json?: boolean }): Promise<void> {
  const paths = cliPaths();
  const file = await readProfiles(paths.config);
  const { createTokenClient, encryptedFileStore } = await import('tokenloop/client');
  const store = encryptedFileStore({ path: cachePath(paths) });
  const make = async (s: Settings) =>
    createTokenClient({
      ...(s.authority !== undefined ? { authority: s.authority } : { issuer: s.issuer! }),
      clientId: s.clientId,
      cache: store,
    });
  try {
    const records = await store.list();
    let effective: Settings | undefined;
    try {
      effective = resolveSettings(opts, process.env, file);
    } catch {
      effective = undefined; // nothing configured for this run: the profiles are still shown
    }
    const connectionElsewhere =
      effective !== undefined &&
      (effective.profileName === undefined ||
        ['authority', 'issuer', 'clientId', 'tenant'].some(
          (k) => effective!.sources[k] === 'flag' || effective!.sources[k] === 'environment',
        ));
    const views: ProfileView[] = [];
    if (effective && connectionElsewhere) views.push(await viewOf(null, true, effective, make, records));
    // Issue 14 (independent eyes), finding 12: `--profile NAME` shows that profile; "in use" is the one plain
    // commands use (TOKENLOOP_PROFILE, else `profile use`), whatever this run named.
    const inUse = profileInUse(file, undefined, process.env);
    for (const name of Object.keys(file.profiles).sort()) {
      if (opts.profile !== undefined && name !== opts.profile) continue;
      const current = !connectionElsewhere && inUse === name;
      views.push(await viewOf(name, current, resolveSettings({ profile: name }, {}, file), make, records));
    }
    process.stdout.write(opts.json ? `${jsonLine({ profiles: views })}\n` : text(views, Date.now()));
  } finally {
    await store.close?.();
  }
}
