import { loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';
import { chosenAccount } from './account-choice.js';

export interface WhoamiOptions extends SettingFlags {
  account?: string;
  json?: boolean;
}

/** Microsoft Graph for an Entra authority: the cloud's Graph host, or the authority's own origin (the emulator). */
export function graphBase(authority: {
  kind: string;
  url: string;
  cloud?: { graphHost: string } | undefined;
}): string {
  return authority.cloud ? `https://${authority.cloud.graphHost}` : new URL(authority.url).origin;
}

/** `tokenloop whoami`: Graph `/me` on Entra, the userinfo endpoint elsewhere. */
export async function runWhoami(opts: WhoamiOptions): Promise<void> {
  const { settings, paths } = await loadSettings(opts);
  const client = await makeClient(settings, paths);
  try {
    let profile: Record<string, unknown>;
    const account = await chosenAccount(client, settings, opts.account, 'whoami');
    if (client.authority.kind === 'entra') {
      const { accessToken } = await client.acquireTokenSilent({
        scopes: ['https://graph.microsoft.com/User.Read'],
        ...(account ? { account } : {}),
      });
      const url = `${graphBase(client.authority)}/v1.0/me`;
      // S62: through the library's one HTTP client (no redirects, https off loopback, size cap, proxy).
      const { createHttpFetch } = await import('tokenloop');
      let response: Response;
      try {
        response = await createHttpFetch()(url, {
          headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        });
      } catch {
        throw new CliError(`cannot reach Microsoft Graph at ${new URL(url).origin}`, EXIT.temporary);
      }
      if (!response.ok)
        throw new CliError(
          `Microsoft Graph answered HTTP ${response.status} for /me`,
          response.status >= 500 ? EXIT.temporary : EXIT.failure,
        );
      profile = (await response.json()) as Record<string, unknown>;
    } else {
      profile = await client.getUserInfo(account ? { account } : {});
    }
    if (opts.json) {
      process.stdout.write(`${jsonLine(profile)}\n`);
      return;
    }
    // S74: the profile is the provider's; each value is shown as text on its own line.
    const name = profile.displayName ?? profile.name;
    const mail = profile.userPrincipalName ?? profile.mail ?? profile.preferred_username ?? profile.email;
    const lines = [`${terminalText(name ?? '(no name)')}${mail ? ` <${terminalText(mail)}>` : ''}`];
    for (const key of ['jobTitle', 'id', 'sub'] as const)
      if (profile[key] !== undefined && profile[key] !== null)
        lines.push(`  ${key}: ${terminalText(profile[key])}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    const e = err as { code?: string };
    if (e.code === 'INTERACTION_REQUIRED' || e.code === 'ACCOUNT_NOT_FOUND')
      say('  (sign in with `tokenloop login`)');
    throw err;
  } finally {
    await client.close();
  }
}
