/**
 * What msal-cache.test.ts (msal-node) and msal-python.test.ts (MSAL Python) share: the scopes as Microsoft's
 * samples and the seeds write them, the app they are asked for, the https emulator with its local CA, and the
 * emulator's own request counts read over HTTP from `/_emulator/stats`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../../src/index.ts';

export const TENANT = SAMPLE_IDS.contoso;
const API = `api://${SAMPLE_IDS.apiApp}`;

/** One way an app asks for a token, and the audience the token must carry. */
export interface ScopeCase {
  label: string;
  scopes: string[];
  aud: string;
}

export const SCOPE_CASES: ScopeCase[] = [
  { label: 'User.Read', scopes: ['User.Read'], aud: 'https://graph.microsoft.com' },
  { label: 'Mail.Read', scopes: ['Mail.Read'], aud: 'https://graph.microsoft.com' },
  {
    label: 'IMAP via the Outlook resource',
    scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'],
    aud: 'https://outlook.office.com',
  },
  { label: "an API's access_as_user", scopes: [`${API}/access_as_user`], aud: SAMPLE_IDS.apiApp },
  { label: "an API's .default", scopes: [`${API}/.default`], aud: SAMPLE_IDS.apiApp },
  {
    label: 'Azure management .default with its trailing slash',
    scopes: ['https://management.core.windows.net//.default'],
    aud: 'https://management.core.windows.net/',
  },
];

/**
 * A public client (device code and ROPC allowed) with every permission of the cases admin-consented, as test
 * automation registers it: no consent page, and the password grant has the consent it needs.
 */
export function registerCacheTestApp(e: RunningEmulator): string {
  return e.addApp({
    name: 'MSAL cache test app',
    type: 'public',
    tenant: TENANT,
    redirectUris: ['http://127.0.0.1', 'http://localhost'],
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read', 'Mail.Read'],
      'https://outlook.office.com': ['IMAP.AccessAsUser.All'],
      [API]: ['access_as_user'],
      'https://management.core.windows.net/': ['user_impersonation'],
    },
    adminConsented: true,
  }).clientId;
}

/** A data directory holding one local CA for every https emulator of a test file. */
export async function sharedCa(): Promise<{ dataDir: string; caCertFile: string; caPem: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenloop-msal-cache-'));
  const bootstrap = await startEmulator({ https: true, dataDir });
  const caCertFile = bootstrap.caCertFile!;
  await bootstrap.close();
  return { dataDir, caCertFile, caPem: await readFile(caCertFile, 'utf8') };
}

export async function removeSharedCa(dataDir: string | undefined): Promise<void> {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

/** GET or POST an emulator URL over https, trusting only its local CA; JSON answer. */
async function emulatorJson(
  url: string,
  caPem: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<unknown> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const res = await undiciFetch(url, { ...init, dispatcher, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return await res.json();
  } finally {
    await dispatcher.close();
  }
}

/** Token-endpoint requests of `clientId` by grant type, from the emulator's `/_emulator/stats`. */
export async function tokenRequests(
  e: RunningEmulator,
  caPem: string,
  clientId: string,
): Promise<Record<string, number>> {
  const stats = (await emulatorJson(`${e.url}/_emulator/stats`, caPem)) as {
    token_requests: Record<string, Record<string, number>>;
  };
  const out: Record<string, number> = {};
  for (const [grant, byClient] of Object.entries(stats.token_requests))
    if (byClient[clientId]) out[grant] = byClient[clientId];
  return out;
}

/** `POST /_emulator/stats/reset`. */
export async function resetStats(e: RunningEmulator, caPem: string): Promise<void> {
  await emulatorJson(`${e.url}/_emulator/stats/reset`, caPem, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
  });
}

/**
 * Access-token lifetime for the "after expiry" step. MSAL (msal-node and MSAL Python alike, by default) treats
 * a token as expired five minutes before its `expires_in` runs out; a lifetime a few seconds above that leaves
 * a short window in which the cached token is served, then it counts as expired.
 */
export const SHORT_LIFETIME = 306;
export const MSAL_EXPIRY_MARGIN_S = 300;

/**
 * Waits until a token whose request started at `startedAt` (ms) counts as expired for MSAL. MSAL counts in
 * whole seconds (the request's second plus `expires_in`, compared with a strict `>`), so up to two seconds more.
 */
export async function untilMsalExpiry(startedAt: number): Promise<void> {
  const at = startedAt + (SHORT_LIFETIME - MSAL_EXPIRY_MARGIN_S) * 1000 + 2000;
  const wait = at - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
