import { httpOptions, loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { REQUEST_TIMEOUT_MS, providerWait } from '../../output/network-wait.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import type { AccountInfo } from 'tokenloop';
import { loginHintFor, signInRequired } from '../../client/login-command.js';
import { chosenAccount } from '../../client/account-choice.js';

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

/**
 * Graph as a resource, for the token /me takes: the cloud's own Graph (a US Government or China token is for its
 * Graph, not the public one), else the public Graph, which the emulator stands for.
 */
export function graphResource(authority: { cloud?: { graphHost: string } | undefined }): string {
  return `https://${authority.cloud?.graphHost ?? 'graph.microsoft.com'}`;
}

/** The scopes a sign-in for whoami asks: the profile's, with Graph's User.Read when they have no Graph scope. */
async function scopesForGraph(scopes: string[], graph: string): Promise<string[]> {
  const { resourceOf } = await import('tokenloop');
  return scopes.some((s) => resourceOf([s], 'entra') === graph) ? scopes : [...scopes, `${graph}/User.Read`];
}

/** S188: Graph's /me answer, off the wire: a JSON object, else a clear error (never "unexpected error"). */
function graphProfile(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CliError('Microsoft Graph answered /me with something other than a JSON object', EXIT.failure);
  return parsed as Record<string, unknown>;
}

/** `tokenloop whoami`: Graph `/me` on Entra, the userinfo endpoint elsewhere. */
export async function runWhoami(opts: WhoamiOptions): Promise<void> {
  const { settings, paths } = await loadSettings(opts);
  // S199: waits for the provider (and for Graph) say what they wait for, as login's do.
  const wait = await providerWait(settings);
  const client = await makeClient(settings, paths, { onRetry: wait.onRetry });
  let account: AccountInfo | undefined;
  try {
    let profile: Record<string, unknown>;
    account = await chosenAccount(client, settings, opts.account, 'whoami');
    if (client.authority.kind === 'entra') {
      const url = `${graphBase(client.authority)}/v1.0/me`;
      const graphUserRead = `${graphResource(client.authority)}/User.Read`;
      // S62: through the library's one HTTP client (no redirects, https off loopback, size cap, proxy).
      const { TokenloopError, createHttpFetch, isUnavailableStatus } = await import('tokenloop');
      const graphWait = await providerWait({ authority: url });
      const fetch = createHttpFetch({
        ...(await httpOptions(settings)),
        timeoutMs: REQUEST_TIMEOUT_MS,
        onRetry: graphWait.onRetry,
      });
      const me = async (forceRefresh: boolean): Promise<Response> => {
        wait.start();
        const { accessToken } = await client
          .acquireTokenSilent({
            scopes: [graphUserRead],
            ...(account ? { account } : {}),
            ...(forceRefresh ? { forceRefresh: true } : {}),
          })
          .finally(wait.stop);
        try {
          graphWait.start();
          return await fetch(url, {
            headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
          });
        } catch (err) {
          // An untrusted certificate is configuration: the library's error says so.
          if ((err as { code?: unknown }).code !== 'NETWORK') throw err;
          // S199: what happened (refused, timed out), as the library said it.
          throw new CliError(`cannot reach Microsoft Graph: ${(err as Error).message}`, EXIT.temporary);
        } finally {
          graphWait.stop();
        }
      };
      let response = await me(false);
      // S134: Graph refused the cached token (revoked, or signed out elsewhere): one renewal, then a sign-in.
      if (response.status === 401) response = await me(true);
      if (response.status === 401)
        throw new TokenloopError(
          'INTERACTION_REQUIRED',
          'Microsoft Graph refuses the access token (HTTP 401), also after it was renewed',
          { remediation: 'Sign in again.' },
        );
      // Graph unavailable (429, 5xx: the library's one rule) is temporary, exit 3, as the provider's own is.
      if (isUnavailableStatus(response.status))
        throw new TokenloopError(
          'PROVIDER_UNAVAILABLE',
          `Microsoft Graph answered HTTP ${response.status} for /me`,
          { remediation: 'Microsoft Graph is busy or failing: try again shortly.' },
        );
      if (!response.ok)
        throw new CliError(`Microsoft Graph answered HTTP ${response.status} for /me`, EXIT.failure);
      profile = graphProfile(await response.text());
    } else {
      wait.start();
      profile = await client.getUserInfo(account ? { account } : {}).finally(wait.stop);
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
    // Issue 14, finding 4: the fix signs in where whoami looked, for what it asks (Graph's User.Read on Entra).
    throw (
      signInRequired(err, settings, {
        ...(client.authority.kind === 'entra'
          ? { scopes: await scopesForGraph(settings.scopes, graphResource(client.authority)) }
          : {}),
        loginHint: loginHintFor(account, opts.account),
      }) ?? err
    );
  } finally {
    wait.stop();
    await client.close();
  }
}
