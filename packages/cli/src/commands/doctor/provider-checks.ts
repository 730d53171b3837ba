import type { FetchLike, TokenClient } from 'tokenloop';
import { httpOptions } from '../../client/make-client.js';
import { loginCommand } from '../../client/login-command.js';
import type { Settings } from '../../config/resolve.js';
import type { NetworkWait } from '../../output/network-wait.js';
import { browserAvailable } from '../login/browser-availability.js';
import { type Check, problem } from './check.js';

type Server = Awaited<ReturnType<TokenClient['server']>>;

const REGISTRATION_HINTS = [
  'Authentication > Add a platform > "Mobile and desktop applications": add the redirect URIs http://127.0.0.1 and http://localhost',
  'Authentication > Advanced settings: "Allow public client flows" = Yes (device code sign-in)',
  'API permissions: the delegated permissions you ask for (User.Read; for mail: IMAP.AccessAsUser.All, SMTP.Send, offline_access)',
];

/**
 * The provider's checks: its discovery, the sign-in methods it offers, the clock against its own, and (Entra)
 * whether it knows the app as a public client. A failure on the way ends them with a failed `provider` check.
 */
export async function providerChecks(
  client: TokenClient,
  settings: Settings,
  wait: Pick<NetworkWait, 'start' | 'stop'>,
): Promise<Check[]> {
  const checks: Check[] = [];
  const started = performance.now();
  try {
    wait.start();
    const server = await client.server().finally(wait.stop);
    checks.push({
      name: 'provider',
      ok: true,
      detail: `discovery of ${server.as.issuer} valid, answered in ${Math.round(performance.now() - started)} ms`,
    });
    checks.push(signInMethods(server, settings));
    const metadataUrl = client.authority.kind === 'oauth2' ? undefined : client.authority.metadataUrl;
    // S62: the probes go through the library's one HTTP client, like every other request.
    const { createHttpFetch } = await import('tokenloop');
    const probeFetch = createHttpFetch({ ...(await httpOptions(settings)), timeoutMs: 10_000 });
    if (metadataUrl) {
      const clock = await clockCheck(probeFetch, metadataUrl);
      if (clock) checks.push(clock);
    }
    if (client.authority.kind === 'entra' && server.as.device_authorization_endpoint)
      checks.push(
        await registrationCheck(probeFetch, server.as.device_authorization_endpoint, settings.clientId),
      );
  } catch (err) {
    checks.push({ name: 'provider', ok: false, ...(await problem(err)) });
  }
  return checks;
}

/** The sign-in methods the provider offers, and what a sign-in without a display here does. */
function signInMethods(server: Server, settings: Settings): Check {
  const missing = (
    ['authorization_endpoint', 'token_endpoint', 'device_authorization_endpoint'] as const
  ).filter((k) => !server.as[k]);
  return {
    name: 'sign-in methods',
    ok: !missing.includes('token_endpoint'),
    detail: missing.length
      ? `the provider has no ${missing.join(', ')}`
      : browserAvailable()
        ? 'browser sign-in and device code both available'
        : `no display here: \`${loginCommand(settings)}\` prints the sign-in URL and a device code; the URL needs a browser that reaches this machine (ssh -L; \`${loginCommand(settings)} --browser\` waits for the browser only)`,
  };
}

/** This machine's clock against the provider's (its Date header); undefined when it gave none. */
async function clockCheck(probeFetch: FetchLike, metadataUrl: string): Promise<Check | undefined> {
  const response = await probeFetch(metadataUrl, { method: 'HEAD' }).catch(() => undefined);
  const date = response?.headers.get('date');
  if (!date) return undefined;
  const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
  return {
    name: 'clock',
    ok: Math.abs(skew) < 300,
    detail: `this machine is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} the provider`,
    ...(Math.abs(skew) >= 300
      ? {
          fix: 'synchronise the clock (e.g. `timedatectl set-ntp true`): tokens are checked against it',
        }
      : {}),
  };
}

/** Entra: whether the app exists and allows public client flows, by a device authorization request. */
async function registrationCheck(probeFetch: FetchLike, endpoint: string, clientId: string): Promise<Check> {
  // A device authorization request changes nothing but tells whether Entra knows this app as a public client.
  const probe = await probeFetch(endpoint, {
    method: 'POST',
    body: new URLSearchParams({ client_id: clientId, scope: 'openid' }),
  }).catch(() => undefined);
  // S188: the answer is off the wire: its description is used only when it is text.
  const body: unknown = await probe?.json().catch(() => undefined);
  const said = (body as { error_description?: unknown } | null | undefined)?.error_description;
  return probe?.ok
    ? { name: 'app registration', ok: true, detail: 'the app exists and allows public client flows' }
    : {
        name: 'app registration',
        ok: false,
        detail:
          (typeof said === 'string' ? said.split(/\r?\n/)[0] : undefined) ??
          `device authorization answered HTTP ${probe?.status ?? 'nothing'}`,
        fix: REGISTRATION_HINTS.join('; '),
      };
}
